import subprocess
import sys


def start_worker(config_path):
    """Starts the background worker in its own session so that it outlives the CLI."""
    return subprocess.Popen(
        [sys.executable, "-m", "myapp.worker", "--config", config_path],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
