import base64

FAVICON = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAABAAAAAQCAYAAAAf8/9hAAAAGklEQVQ4T2NkYGD4z0ABYBw1gGE0DBhGwwAAMkIBEQ3Yf3kAAAAASUVORK5CYII="
)


def write_favicon(path):
    with open(path, "wb") as f:
        f.write(FAVICON)
