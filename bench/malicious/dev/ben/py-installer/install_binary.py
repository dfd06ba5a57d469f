"""Fetches the platform binary of this tool from the project's releases and verifies it."""
import hashlib
import os
import platform
import stat
import urllib.request

RELEASE = "https://github.com/example/tool/releases/download/v{version}/tool-{target}"


def install(version, dest, expected_sha256):
    target = platform.machine().lower()
    url = RELEASE.format(version=version, target=target)
    with urllib.request.urlopen(url) as resp:
        data = resp.read()
    if hashlib.sha256(data).hexdigest() != expected_sha256:
        raise RuntimeError("checksum mismatch for " + url)
    with open(dest, "wb") as f:
        f.write(data)
    os.chmod(dest, os.stat(dest).st_mode | stat.S_IEXEC)
    return dest
