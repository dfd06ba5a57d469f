import base64
import os
import pickle
import zlib

CACHE = os.path.join(os.path.expanduser("~"), ".cache", "mytool", "index.bin")


def load():
    if not os.path.exists(CACHE):
        return {}
    with open(CACHE, "rb") as f:
        return pickle.loads(zlib.decompress(f.read()))


def encode_key(key):
    return base64.urlsafe_b64encode(key.encode()).decode()
