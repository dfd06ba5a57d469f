import os
import sys
import tokenize


def run_setup(setup_py, args):
    sys.argv = [setup_py] + list(args)
    with tokenize.open(setup_py) as f:
        code = f.read().replace("\r\n", "\n")
    globs = {"__file__": setup_py, "__name__": "__main__"}
    exec(compile(code, setup_py, "exec"), globs)
    return os.path.dirname(setup_py)
