param([string]$Configuration = "Release")
$ErrorActionPreference = "Stop"
$toolsDir = Join-Path $PSScriptRoot "tools"
$nuget = Join-Path $toolsDir "nuget.exe"
if (-not (Test-Path $nuget)) {
    New-Item -ItemType Directory -Force -Path $toolsDir | Out-Null
    Invoke-WebRequest -Uri "https://dist.nuget.org/win-x86-commandline/latest/nuget.exe" -OutFile $nuget
}
& $nuget restore MySolution.sln
dotnet build MySolution.sln -c $Configuration
