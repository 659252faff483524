"""The workspace state: one SQLite database under the emulator home.

Every write is a single transaction, so a kernel that dies half-way leaves the
previous state intact, and another kernel or process sees a change as soon as it
commits (WAL mode; writers wait for each other up to 30 s). Artifact bytes live
beside the database as files; rows only point at them. A damaged database is refused at
open with one clear error (`integrity`), and the home and its files are readable by their
owner only (`private`).
"""
from __future__ import annotations

import json
import sqlite3
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

from azureml_emulator.errors import StateError
import azureml_emulator.store.integrity as integrity
from azureml_emulator.store.private import make_private
from azureml_emulator.store.schema import MIGRATIONS, TABLES, VERSION

DATABASE_NAME = "workspace.db"


class Store:
    """Thread-safe access to the emulator database of one home."""

    def __init__(self, home: Path | str, check: bool = True) -> None:
        """Open (or create) the home's database. ``check``: run SQLite's quick check when the file
        changed since the last one; the processes the emulator starts (job, sweep and profile
        supervisors) pass False, as the kernel or command that started them has checked it, and
        every write of that kernel would otherwise make each of their opens check it again."""
        self.home = Path(home)
        self.path = self.home / DATABASE_NAME
        self._local = threading.local()
        self._checked = False   # whether the database passed the checks at open (then `close` records it)
        integrity.refuse_empty_file(self.path, self.home)
        make_private(self.home, self.path, self.home / integrity.CHECKED_NAME)
        try:
            if check:
                integrity.check_if_changed(self._connection(), self.path, self.home)
            self._upgrade()
        except sqlite3.DatabaseError as error:
            self.close()
            raise integrity.unreadable(self.path, self.home, str(error)) from None
        except StateError:
            self.close()
            raise
        self._checked = check   # an unchecked open records nothing

    def check(self) -> None:
        """SQLite's thorough integrity check of the whole database; `StateError` when it finds damage."""
        try:
            integrity.check_now(self._connection(), self.path, self.home)
        except sqlite3.DatabaseError as error:
            raise integrity.unreadable(self.path, self.home, str(error)) from None

    def _upgrade(self) -> None:
        """Create the tables, or bring an older database up to `VERSION`. A database already at
        `VERSION` is only read: every kernel, job and supervisor opens it, and a write transaction
        each would queue them behind one another's lock."""
        if self._connection().execute("PRAGMA user_version").fetchone()[0] == VERSION:
            return
        with self.transaction() as db:
            integrity.refuse_empty(db, self.path, self.home)
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version > VERSION:
                raise StateError(
                    "The emulator's state database {} has layout version {}, newer than this azureml_emulator "
                    "knows ({}): upgrade azureml_emulator, or use another home.".format(
                        self.path, version, VERSION))
            for step in range(version, VERSION):
                for statement in MIGRATIONS[step].split(";"):
                    db.execute(statement)
            for statement in TABLES.split(";"):
                db.execute(statement)
            db.execute("PRAGMA user_version={:d}".format(VERSION))

    def _connection(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            # Autocommit: a transaction is only what `transaction` begins. Writers wait up to 30 s.
            conn = sqlite3.connect(self.path, isolation_level=None)
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA busy_timeout=30000")
            conn.execute("PRAGMA journal_mode=WAL")
            self._local.conn = conn
        return conn

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE ... COMMIT, rolled back on any error."""
        db = self._connection()
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    def query(self, sql: str, params: tuple = ()) -> list[sqlite3.Row]:
        return self._connection().execute(sql, params).fetchall()

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None
            if self._checked:
                integrity.record(self.path, self.home)

    # --- rows stored as JSON payloads -------------------------------------------------

    @staticmethod
    def dumps(payload: Any) -> str:
        return json.dumps(payload, sort_keys=True)

    @staticmethod
    def loads(text: str | None) -> Any:
        return json.loads(text) if text else None

    @staticmethod
    def public(payload: dict) -> dict:
        """A stored payload as a service answers it: without the emulator's own fields (``_`` keys)."""
        return {key: value for key, value in payload.items() if not key.startswith("_")}
