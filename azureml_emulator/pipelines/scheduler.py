"""The scheduler process of an emulator home (`execution.scheduler`): one at most per home, which
fires the home's Active pipeline schedules at real clock time.

It runs while it is needed and owned:

* it starts when a schedule becomes Active (created, enabled, changed), and when the emulator is
  activated on a home that has an Active schedule;
* its owners are the processes that activated the emulator on the home (or created or enabled a
  schedule) and have not deactivated it; it exits by itself once none of them is alive or active,
  and once no schedule is Active;
* `stop` ends it (`housekeeping.stop_all`, so ``azureml-emulator reset``, the tests' clean-up and the
  pytest plugin's end of session).

Its files are in ``<home>/scheduler/``: ``process.json`` (its `ProcessRecord`), ``owners.json`` (the
owners' records) and ``scheduler.log`` (what it fired, and why it stopped). It opens no socket.

``AZUREML_EMULATOR_SCHEDULER_SPEED`` (a test-only knob, default 1): how many times faster than the
real clock the scheduler's clock runs from its start, so that a test sees a one-minute recurrence
fire twice in seconds. Azure has no such thing.
"""
from __future__ import annotations

import fcntl
import json
import os
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

from azureml_emulator import processes
from azureml_emulator.pipelines import schedules
from azureml_emulator.processes import ProcessRecord
from azureml_emulator.store import Store

MODULE = "azureml_emulator.execution.scheduler"
SPEED_ENV_VAR = "AZUREML_EMULATOR_SCHEDULER_SPEED"


def folder(home: str | Path) -> Path:
    return Path(home) / "scheduler"


@contextmanager
def _locked(home: str | Path) -> Iterator[Path]:
    """The scheduler's folder, while no other process starts, stops or changes the owners of its scheduler."""
    where = folder(home)
    where.mkdir(parents=True, exist_ok=True)
    with open(where / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield where


def _read(path: Path) -> Any:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def record(home: str | Path) -> ProcessRecord | None:
    return ProcessRecord.from_json(_read(folder(home) / "process.json"))


def is_running(home: str | Path) -> bool:
    return processes.is_alive(record(home))


def _me() -> dict:
    pid = os.getpid()
    return ProcessRecord(pid=pid, create_time=0.0, started=processes.started_since_boot(pid)).to_json()


def owners(home: str | Path) -> list[ProcessRecord]:
    """The scheduler's owners that are still alive."""
    found = [ProcessRecord.from_json(item) for item in _read(folder(home) / "owners.json") or []]
    return [owner for owner in found if owner is not None and processes.is_alive(owner)]


def _write_owners(where: Path, found: list[ProcessRecord]) -> None:
    (where / "owners.json").write_text(json.dumps([owner.to_json() for owner in found]))


def ensure_running(store: Store) -> bool:
    """Make this process an owner and start the scheduler, if the home has an Active schedule and it is
    not running; returns whether it runs."""
    if not schedules.active(store):
        return is_running(store.home)
    with _locked(store.home) as where:
        me = ProcessRecord.from_json(_me())
        mine = [owner for owner in owners(store.home) if owner.pid != os.getpid()]
        _write_owners(where, mine + [me] if me else mine)
        if processes.is_alive(record(store.home)):
            return True
        env = dict(os.environ)
        package_root = str(Path(__file__).resolve().parents[2])
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [package_root, env.get("PYTHONPATH")]))
        pid, create_time, started = processes.spawn([sys.executable, "-m", MODULE, str(store.home)], env=env,
                                                    cwd=where, log_path=where / "scheduler.log")
        (where / "process.json").write_text(json.dumps(ProcessRecord(
            pid=pid, create_time=create_time, started=started, dir=str(where),
            log=str(where / "scheduler.log")).to_json()))
    return True


def release(home: str | Path) -> None:
    """This process no longer owns the scheduler (its emulator was deactivated); the scheduler exits
    when it has no owner left."""
    if not folder(home).is_dir():
        return
    with _locked(home) as where:
        _write_owners(where, [owner for owner in owners(home) if owner.pid != os.getpid()])


def stop(home: str | Path, started_since: float | None = None) -> bool:
    """End the home's scheduler (SIGTERM, then SIGKILL), if it started at or after ``started_since``
    (seconds since the epoch) when that is given; returns whether it was running."""
    if not folder(home).is_dir():
        return False
    with _locked(home) as where:
        current = record(home)
        if current is not None and started_since is not None and current.create_time < started_since:
            return False
        running = processes.is_alive(current)
        processes.stop(current, grace_seconds=5.0)
        _write_owners(where, [])
    return running


def state(home: str | Path) -> dict[str, Any]:
    """What the CLI shows of the scheduler."""
    current = record(home)
    running = processes.is_alive(current)
    return {"running": running, "pid": current.pid if current and running else None,
            "owners": [owner.pid for owner in owners(home)], "log": current.log if current else None}
