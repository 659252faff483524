"""The emulator home and its state files are readable by their owner only.

The database holds the services' keys, as ``~/.azure`` and ``~/.ssh`` hold secrets: the home is
made 0700 and the database, its ``-wal`` and ``-shm`` files and the check's side file 0600
(SQLite gives the files it creates beside a database the database's own mode). A home made by
an earlier version, 0755 with a 0644 database, is tightened when it is opened; one owned by
another user is left as it is (only its owner may change its mode).
"""
from __future__ import annotations

import os
import stat
from pathlib import Path

OWNER_ONLY = 0o077   # the group's and others' permission bits, taken away
SIDE_FILES = ("-wal", "-shm", "-journal")


def make_private(home: Path, database: Path, *others: Path) -> None:
    """Create ``home`` (0700) and ``database`` (0600) if they do not exist; tighten them, the
    database's side files and ``others`` when they do."""
    home.mkdir(mode=0o700, parents=True, exist_ok=True)
    _tighten(home)
    if not database.exists():
        os.close(os.open(database, os.O_WRONLY | os.O_CREAT, 0o600))
    for path in (database, *(database.with_name(database.name + suffix) for suffix in SIDE_FILES), *others):
        _tighten(path)


def _tighten(path: Path) -> None:
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & OWNER_ONLY:
            os.chmod(path, mode & ~OWNER_ONLY)
    except FileNotFoundError:
        pass
    except PermissionError:   # not ours to change
        pass
