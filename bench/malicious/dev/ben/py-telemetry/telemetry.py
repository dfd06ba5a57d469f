import json
import os
import platform
import urllib.request

ENDPOINT = "https://telemetry.example.com/v1/events"


def enabled():
    return os.environ.get("MYTOOL_TELEMETRY", "0") == "1"


def send(event):
    if not enabled():
        return
    body = json.dumps({"event": event, "python": platform.python_version(), "os": platform.system()}).encode()
    req = urllib.request.Request(ENDPOINT, data=body, headers={"Content-Type": "application/json"})
    urllib.request.urlopen(req, timeout=2)
