"""Per-user settings of the desktop client, kept in the registry on Windows."""
import json
import os
import sys

KEY = r"Software\ExampleVendor\Client"


def load():
    if sys.platform != "win32":
        path = os.path.join(os.path.expanduser("~"), ".config", "client.json")
        return json.load(open(path)) if os.path.exists(path) else {}
    import winreg

    try:
        key = winreg.OpenKey(winreg.HKEY_CURRENT_USER, KEY)
    except OSError:
        return {}
    value, _ = winreg.QueryValueEx(key, "settings")
    return json.loads(value)


def save(settings):
    import winreg

    key = winreg.CreateKey(winreg.HKEY_CURRENT_USER, KEY)
    winreg.SetValueEx(key, "settings", 0, winreg.REG_SZ, json.dumps(settings))
