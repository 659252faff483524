"""Start, watch and stop the service processes this emulator launched.

A service outlives the kernel that deployed it, like a real one, so the only
handle kept is (pid, create_time) in the store. The create time guards against
PID reuse: we only ever signal a process we started.
"""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil

def spawn(argv, env, cwd, log_path) -> dict:
    """Start ``argv`` detached (see launch.py); returns its PID and create time."""
    launched = subprocess.run([sys.executable, "-m", "azureml_emulator.execution.launch", str(cwd), str(log_path), *argv],
                              env=env, capture_output=True, text=True, check=True)
    pid = int(launched.stdout.strip())
    return {"pid": pid, "create_time": psutil.Process(pid).create_time()}


def _same_process(info):
    try:
        proc = psutil.Process(info["pid"])
        if abs(proc.create_time() - info["create_time"]) > 0.01:
            return None
        return proc
    except (psutil.NoSuchProcess, KeyError, TypeError):
        return None


def exit_code(info):
    """The exit code the service process recorded when it ended, if it did."""
    try:
        return int(Path(info["exit_code_file"]).read_text())
    except (OSError, KeyError, TypeError, ValueError):
        return None


def is_alive(info) -> bool:
    proc = _same_process(info) if info else None
    if proc is None:
        return False
    try:
        return proc.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def stop(info, grace_seconds=10.0):
    """SIGTERM the service's process group (gunicorn master and workers), then SIGKILL."""
    if not info or not is_alive(info):
        return
    pid = info["pid"]
    try:
        os.killpg(pid, signal.SIGTERM)   # the child leads its own session, so pgid == pid
    except ProcessLookupError:
        pass
    deadline = time.monotonic() + grace_seconds
    while time.monotonic() < deadline and is_alive(info):
        time.sleep(0.05)
    if is_alive(info):
        try:
            os.killpg(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        while is_alive(info):
            time.sleep(0.05)
