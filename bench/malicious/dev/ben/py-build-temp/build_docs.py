"""Builds the documentation in a scratch directory and copies the result."""
import os
import shutil
import subprocess
import tempfile
import urllib.request

THEME = "https://github.com/example/docs-theme/archive/refs/tags/v2.1.0.tar.gz"


def build(out):
    work = tempfile.mkdtemp(prefix="docs-")
    archive = os.path.join(work, "theme.tar.gz")
    urllib.request.urlretrieve(THEME, archive)
    subprocess.run(["tar", "xzf", archive, "-C", work], check=True)
    subprocess.run(["sphinx-build", "-b", "html", "docs", os.path.join(work, "html")], check=True)
    shutil.copytree(os.path.join(work, "html"), out, dirs_exist_ok=True)
    shutil.rmtree(work)


if __name__ == "__main__":
    build("site")
