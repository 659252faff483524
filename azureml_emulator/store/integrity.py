"""Noticing a damaged state database before it is used, so it is never taken for a new workspace.

SQLite itself refuses a file whose header is not a database's, or that was cut short where it
reads. Two more kinds of damage pass that: a database emptied (0 bytes, or a valid file with no
tables) in a home that still holds the workspace's files, which SQLite would happily start
afresh, orphaning them; and bytes overwritten inside the file, which only the pages that hold
them reveal. The first is checked at every open (`refuse_empty_file`, `refuse_empty`); the
second with SQLite's own ``PRAGMA quick_check`` at an open that finds the file changed (size
or modification time) since it was last checked or left by a store that checked it, as
recorded in a small side file beside it (`check_if_changed`, `record`), and with the thorough
``PRAGMA integrity_check`` on demand (`azureml-emulator check`). Each failure is the store's
one error for an unreadable database (`unreadable`).
"""
from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

from azureml_emulator.errors import StateError

CHECKED_NAME = ".workspace.db.checked"   # the size and time of the database when its last check passed
# The home's folders of workspace files that rows of the database point at.
STATE_FOLDERS = ("artifacts", "blobs", "files", "runs", "services", "profiles")


def unreadable(path: Path, home: Path, reason: str) -> StateError:
    """The error for a database that cannot be used: names the file, the reason and the way out."""
    return StateError(
        "The emulator's state database {} cannot be read ({}). Move it aside to keep it for "
        "inspection, or erase this emulator home with `azureml-emulator --home {} reset --yes`."
        .format(path, reason, home))


def folders_with_state(home: Path) -> list[str]:
    """The folders of `STATE_FOLDERS` under ``home`` that hold anything."""
    return [name for name in STATE_FOLDERS if (home / name).is_dir() and any((home / name).iterdir())]


def refuse_empty_file(path: Path, home: Path) -> None:
    """Refuse an emptied (0 bytes) or missing database in a home that holds files, before
    SQLite writes anything into it."""
    if not path.exists() or path.stat().st_size == 0:
        _refuse_if_files(path, home)


def refuse_empty(db: sqlite3.Connection, path: Path, home: Path) -> None:
    """Refuse a database with no tables at all in a home that holds files."""
    if not db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
        _refuse_if_files(path, home)


def _refuse_if_files(path: Path, home: Path) -> None:
    folders = folders_with_state(home)
    if folders:
        raise unreadable(path, home, "it is empty, yet this home holds the workspace's files in {}: it was emptied "
                         "or removed, and is not taken for a new workspace".format(", ".join(folders)))


def _stamp(path: Path) -> dict[str, int]:
    stat = path.stat()
    return {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns}


def _last_checked(home: Path) -> dict | None:
    try:
        return json.loads((home / CHECKED_NAME).read_text())
    except (OSError, ValueError):
        return None


def _remember(home: Path, stamp: dict[str, int]) -> None:
    """Record ``stamp`` in the side file (written whole, then renamed; readable by its owner only)."""
    partial = home / (CHECKED_NAME + ".{}".format(os.getpid()))
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as out:
        json.dump(stamp, out)
    os.replace(partial, home / CHECKED_NAME)


def check_if_changed(db: sqlite3.Connection, path: Path, home: Path) -> None:
    """``PRAGMA quick_check`` when the file changed since the last check that passed."""
    if not path.exists():
        return
    stamp = _stamp(path)
    if stamp == _last_checked(home):
        return
    _verify(db, "quick_check", path, home)
    _remember(home, stamp)


def record(path: Path, home: Path) -> None:
    """Record the database as a process that opened it checked leaves it (its own writes are
    SQLite's), so the next open does not check it again unless something changed it since."""
    if path.exists():
        _remember(home, _stamp(path))


def check_now(db: sqlite3.Connection, path: Path, home: Path) -> None:
    """The thorough ``PRAGMA integrity_check``, whatever the side file says."""
    _verify(db, "integrity_check", path, home)
    _remember(home, _stamp(path))


def _verify(db: sqlite3.Connection, pragma: str, path: Path, home: Path) -> None:
    problems = [line for row in db.execute("PRAGMA {}(20)".format(pragma)) for line in str(row[0]).splitlines()]
    if problems != ["ok"]:
        more = " and {} more".format(len(problems) - 3) if len(problems) > 3 else ""
        raise unreadable(path, home, "SQLite's {} found it damaged: {}{}".format(
            pragma, "; ".join(problems[:3]), more))
