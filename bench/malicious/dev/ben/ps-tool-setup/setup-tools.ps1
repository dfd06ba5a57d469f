# Installs the pinned formatter used by the build, verifying its digest.
$ErrorActionPreference = 'Stop'
$version = '1.4.2'
$url = "https://github.com/example/fmt/releases/download/v$version/fmt-windows-x64.zip"
$zip = Join-Path $env:TEMP "fmt-$version.zip"
Invoke-WebRequest -Uri $url -OutFile $zip
$expected = 'b5bb9d8014a0f9b1d61e21e796d78dccdf1352f23cd32812f4850b878ae4944c'
$actual = (Get-FileHash -Algorithm SHA256 $zip).Hash.ToLower()
if ($actual -ne $expected) { throw "fmt: digest mismatch ($actual)" }
Expand-Archive -Path $zip -DestinationPath "$PSScriptRoot\..\tools" -Force
Write-Host "fmt $version installed"
