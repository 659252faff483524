"""Start, watch and stop the processes this emulator launched.

A service outlives the kernel that deployed it, like a real one, so the only handle
kept is a `ProcessRecord` in the store: PID and create time. The create time guards
against PID reuse: the emulator only ever signals a process it started.
"""
from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any, Mapping, Sequence

import psutil

LAUNCHER = "azureml_emulator.execution.launch"   # `execution.service_contract` names it among a service's modules


@dataclass(frozen=True)
class ProcessRecord:
    """A detached process the emulator started (pid None: it failed before one started),
    and where its files are."""

    pid: int | None
    create_time: float                # when it started, seconds since the epoch
    port: int | None = None
    dir: str | None = None            # the deployment folder, removed with the process
    log: str | None = None            # everything the process prints
    exit_code_file: str | None = None  # where the process records its exit code
    # When it started, seconds since boot: what identifies it, as the epoch time above moves
    # whenever the system clock is set (psutil adds the boot time, which moves with it).
    started: float | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> ProcessRecord | None:
        if not data or "create_time" not in data:
            return None
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


PR_SET_CHILD_SUBREAPER = 36


def become_subreaper() -> None:
    """Make this process the child subreaper of everything below it (Linux): orphans are
    re-parented here, not to init, so they can be found and ended with their owner.
    (The service supervisor does the same itself: it runs with only the modules copied
    beside a deployment.)"""
    ctypes.CDLL(None).prctl(PR_SET_CHILD_SUBREAPER, 1)   # the option reads only its first argument


def spawn(argv: Sequence[str], env: Mapping[str, str], cwd: str | Path, log_path: str | Path
          ) -> tuple[int, float, float]:
    """Start ``argv`` detached (see `launch`); returns its PID and when it started (seconds
    since the epoch, and since boot: `ProcessRecord`)."""
    launched = subprocess.run([sys.executable, "-m", LAUNCHER, str(cwd), str(log_path), *argv],
                              env=dict(env), capture_output=True, text=True, check=True)
    pid = int(launched.stdout.strip())
    return pid, psutil.Process(pid).create_time(), started_since_boot(pid)


def started_since_boot(pid: int) -> float:
    """When process ``pid`` started, in seconds since boot: /proc's start time in clock ticks,
    which no change of the system clock moves (psutil's create_time is epoch time)."""
    with open("/proc/{}/stat".format(pid), "rb") as stat:
        after_name = stat.read().rsplit(b")", 1)[1].split()   # fields 3 onwards; the name may hold spaces
    return int(after_name[22 - 3]) / os.sysconf("SC_CLK_TCK")


def _same_process(record: ProcessRecord) -> psutil.Process | None:
    """The live process the record names; None when it ended (or its PID is another's now)."""
    if record.pid is None:
        return None
    try:
        proc = psutil.Process(record.pid)
        if record.started is not None:
            same = abs(started_since_boot(record.pid) - record.started) <= 0.01
        else:   # a record written before `started` was: the epoch time, which a clock change moves
            same = abs(proc.create_time() - record.create_time) <= 0.01
        return proc if same else None
    except (psutil.NoSuchProcess, psutil.AccessDenied, ValueError, OSError):
        return None


def exit_code(record: ProcessRecord | None) -> int | None:
    """The exit code the process recorded when it ended, if it did."""
    try:
        return int(Path(record.exit_code_file).read_text())   # type: ignore[union-attr, arg-type]
    except (OSError, AttributeError, TypeError, ValueError):
        return None


def is_alive(record: ProcessRecord | None) -> bool:
    proc = _same_process(record) if record else None
    if proc is None:
        return False
    try:
        return proc.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def stop(record: ProcessRecord | None, grace_seconds: float = 10.0) -> None:
    """SIGTERM the process group (a server and its workers), then SIGKILL after the grace time."""
    if record is None or not is_alive(record):
        return
    for sig, wait in ((signal.SIGTERM, grace_seconds), (signal.SIGKILL, None)):
        try:
            os.killpg(record.pid, sig)   # type: ignore[arg-type]  # it leads its own session: pgid == pid
        except ProcessLookupError:
            return
        deadline = None if wait is None else time.monotonic() + wait
        while is_alive(record) and (deadline is None or time.monotonic() < deadline):
            time.sleep(0.05)
        if not is_alive(record):
            return
