"""The workspace state: one SQLite database under the emulator home.

Every write is a single transaction, so a kernel that dies half-way leaves the
previous state intact, and another kernel sees a change as soon as it commits.
Artifact bytes live beside the database as files; rows only point at them.
"""
import json
import sqlite3
import threading
from contextlib import contextmanager
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS workspaces (
    key TEXT PRIMARY KEY, subscription_id TEXT, resource_group TEXT, name TEXT,
    location TEXT, workspace_id TEXT, created REAL);
CREATE TABLE IF NOT EXISTS assets (
    id TEXT PRIMARY KEY, workspace TEXT, payload TEXT);
CREATE TABLE IF NOT EXISTS models (
    workspace TEXT, name TEXT, version INTEGER, payload TEXT,
    PRIMARY KEY (workspace, name, version));
CREATE TABLE IF NOT EXISTS environments (
    workspace TEXT, name TEXT, version TEXT, seq INTEGER, payload TEXT,
    PRIMARY KEY (workspace, name, version));
CREATE TABLE IF NOT EXISTS services (
    workspace TEXT, name TEXT, payload TEXT, process TEXT,
    PRIMARY KEY (workspace, name));
CREATE TABLE IF NOT EXISTS operations (
    id TEXT PRIMARY KEY, workspace TEXT, service TEXT, kind TEXT, created REAL);
"""


class Store:
    """Thin, thread-safe access to the emulator database."""

    def __init__(self, home: Path):
        self.home = Path(home)
        self.path = self.home / "workspace.db"
        self._local = threading.local()
        self._connection().executescript(SCHEMA)   # idempotent; executescript commits by itself

    def _connection(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=30, isolation_level=None,
                                   check_same_thread=False)
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA busy_timeout=30000")
            self._local.conn = conn
        return conn

    @contextmanager
    def transaction(self):
        """BEGIN IMMEDIATE ... COMMIT, rolled back on any error."""
        db = self._connection()
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    def query(self, sql, params=()):
        return self._connection().execute(sql, params).fetchall()

    def close(self):
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

    # --- rows stored as JSON payloads -------------------------------------------------

    @staticmethod
    def dumps(payload) -> str:
        return json.dumps(payload, sort_keys=True)

    @staticmethod
    def loads(text):
        return json.loads(text) if text else None

