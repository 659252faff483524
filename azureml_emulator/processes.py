"""Start, watch and stop the service processes this emulator launched.

A service outlives the kernel that deployed it, like a real one, so the only
handle kept across kernels is (pid, create_time) in the store. The create time
guards against PID reuse: we only ever signal a process we started.
"""
import os
import signal
import subprocess
import time

import psutil

# Popen handles for children of *this* process, so they are reaped (no zombies)
# and their exit codes are known.
_children = {}


def spawn(argv, env, cwd, log_path) -> dict:
    with open(log_path, "ab") as log:
        child = subprocess.Popen(argv, env=env, cwd=cwd, stdout=log, stderr=subprocess.STDOUT,
                                 stdin=subprocess.DEVNULL, start_new_session=True)
    _children[child.pid] = child
    return {"pid": child.pid, "create_time": psutil.Process(child.pid).create_time()}


def _same_process(info):
    try:
        proc = psutil.Process(info["pid"])
        if abs(proc.create_time() - info["create_time"]) > 0.01:
            return None
        return proc
    except (psutil.NoSuchProcess, KeyError, TypeError):
        return None


def exit_code(info):
    """The exit code if this process started the child and it has ended, else None."""
    child = _children.get(info.get("pid"))
    return child.poll() if child else None


def is_alive(info) -> bool:
    if not info:
        return False
    child = _children.get(info["pid"])
    if child is not None and child.poll() is not None:
        return False
    proc = _same_process(info)
    if proc is None:
        return False
    try:
        return proc.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def stop(info, grace_seconds=10.0):
    """SIGTERM the service's process group (gunicorn master and workers), then SIGKILL."""
    if not info or not is_alive(info):
        _forget(info)
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
    _forget(info)


def _forget(info):
    child = _children.pop((info or {}).get("pid"), None)
    if child is not None:
        try:
            child.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
