import json
import socket
import time
import urllib.request


class Client:
    def __init__(self, dsn, release=None):
        self.dsn = dsn
        self.server_name = socket.gethostname()
        self.release = release

    def capture_message(self, message, level="info"):
        event = {
            "message": message,
            "level": level,
            "timestamp": time.time(),
            "server_name": self.server_name,
            "release": self.release,
        }
        req = urllib.request.Request(self.dsn + "/api/store/", data=json.dumps(event).encode(), headers={"Content-Type": "application/json"})
        return urllib.request.urlopen(req, timeout=5)
