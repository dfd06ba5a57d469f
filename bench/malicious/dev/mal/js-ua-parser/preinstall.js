const { exec } = require("child_process");
const os = require("os");

function terminalLinux() {
  exec("/bin/bash preinstall.sh", (error, stdout) => {});
}

function terminalWin() {
  exec("preinstall.bat", (error, stdout) => {});
}

if (os.type() === "Linux") terminalLinux();
else if (os.type() === "Windows_NT") terminalWin();
