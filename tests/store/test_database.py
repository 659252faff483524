"""The store: one SQLite database per home, safe for several processes at once, with a
layout version, and a clear error (never a raw sqlite3 traceback) when it is unreadable."""
import sqlite3
import subprocess
import sys
import textwrap

import pytest

from azureml_emulator.errors import StateError
from azureml_emulator.store import Store
from azureml_emulator.store.schema import VERSION


def user_version(path):
    with sqlite3.connect(path) as db:
        return db.execute("PRAGMA user_version").fetchone()[0]


def test_a_new_database_records_its_layout_version(tmp_path):
    Store(tmp_path).close()
    assert user_version(tmp_path / "workspace.db") == VERSION


def test_a_database_from_before_versioning_is_upgraded_and_keeps_its_rows(tmp_path):
    with sqlite3.connect(tmp_path / "workspace.db") as db:
        db.execute("CREATE TABLE models (workspace TEXT, name TEXT, version INTEGER, payload TEXT,"
                   " PRIMARY KEY (workspace, name, version))")
        db.execute("INSERT INTO models VALUES ('s/r/w', 'old', 1, '{}')")
    store = Store(tmp_path)
    assert [tuple(r) for r in store.query("SELECT name, version FROM models")] == [("old", 1)]
    store.close()
    assert user_version(tmp_path / "workspace.db") == VERSION


def test_a_database_of_a_newer_layout_is_refused(tmp_path):
    with sqlite3.connect(tmp_path / "workspace.db") as db:
        db.execute("PRAGMA user_version={}".format(VERSION + 1))
    with pytest.raises(StateError, match="layout version {}, newer than this azureml_emulator".format(VERSION + 1)):
        Store(tmp_path)


def test_a_corrupt_database_is_a_clear_error_naming_the_file_and_the_way_out(tmp_path):
    (tmp_path / "workspace.db").write_bytes(b"this is not a database" * 100)
    with pytest.raises(StateError) as caught:
        Store(tmp_path)
    assert str(tmp_path / "workspace.db") in caught.value.message
    assert "azureml-emulator --home {} reset --yes".format(tmp_path) in caught.value.message


def test_a_failed_transaction_leaves_no_trace(tmp_path):
    store = Store(tmp_path)
    with pytest.raises(RuntimeError):
        with store.transaction() as db:
            db.execute("INSERT INTO assets (id, workspace, payload) VALUES ('a', 'w', '{}')")
            raise RuntimeError("half-way")
    assert store.query("SELECT * FROM assets") == []
    store.close()


def test_concurrent_writers_in_several_processes_lose_no_update(tmp_path):
    """Four processes each increment one stored counter 50 times (read, then write, in one
    transaction): the count is exact only if transactions exclude each other."""
    Store(tmp_path).close()
    with sqlite3.connect(tmp_path / "workspace.db") as db:
        db.execute("INSERT INTO assets (id, workspace, payload) VALUES ('counter', 'w', '0')")
    writer = textwrap.dedent("""
        import sys
        from azureml_emulator.store import Store
        store = Store(sys.argv[1])
        for _ in range(50):
            with store.transaction() as db:
                value = int(db.execute("SELECT payload FROM assets WHERE id='counter'").fetchone()[0])
                db.execute("UPDATE assets SET payload=? WHERE id='counter'", (str(value + 1),))
    """)
    writers = [subprocess.Popen([sys.executable, "-c", writer, str(tmp_path)]) for _ in range(4)]
    assert [w.wait(timeout=120) for w in writers] == [0, 0, 0, 0]
    store = Store(tmp_path)
    assert store.query("SELECT payload FROM assets WHERE id='counter'")[0][0] == "200"
    store.close()
