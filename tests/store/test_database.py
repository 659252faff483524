"""The store: one SQLite database per home, safe for several processes at once, with a
layout version, and a clear error (never a raw sqlite3 traceback) when it is unreadable."""
import sqlite3
import subprocess
import sys
import textwrap
import threading

import pytest

from azureml_emulator.errors import StateError
from azureml_emulator.store import Store, database
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
        from azureml_emulator.store import Store, database
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


def test_the_database_is_in_wal_mode_so_readers_never_wait_for_a_writer(tmp_path):
    store = Store(tmp_path)
    with store.transaction() as db:
        db.execute("INSERT INTO assets (id, workspace, payload) VALUES ('a', 'w', '1')")
        # Another process reads the last committed state while this write is open.
        reader = subprocess.run([sys.executable, "-c", textwrap.dedent("""
            import sqlite3, sys
            db = sqlite3.connect(sys.argv[1], timeout=0.1)
            print(db.execute("PRAGMA journal_mode").fetchone()[0], db.execute("SELECT count(*) FROM assets").fetchone()[0])
        """), str(tmp_path / "workspace.db")], capture_output=True, text=True, timeout=60)
    assert reader.stdout.split() == ["wal", "0"], reader.stderr
    store.close()


def test_a_writer_waits_for_another_processs_write_instead_of_failing(tmp_path):
    Store(tmp_path).close()
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent("""
        import sqlite3, sys, time
        db = sqlite3.connect(sys.argv[1], isolation_level=None)
        db.execute("BEGIN IMMEDIATE"); print("holding", flush=True); time.sleep(1.5); db.execute("COMMIT")
    """), str(tmp_path / "workspace.db")], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "holding"
    store = Store(tmp_path)   # its own upgrade transaction waits too
    with store.transaction() as db:
        db.execute("INSERT INTO assets (id, workspace, payload) VALUES ('b', 'w', '1')")
    assert holder.wait(timeout=60) == 0
    assert [row["id"] for row in store.query("SELECT id FROM assets")] == ["b"]
    store.close()


def test_each_thread_has_its_own_connection_and_close_ends_only_the_callers(tmp_path):
    store = Store(tmp_path)
    mine = store._connection()
    others = []
    thread = threading.Thread(target=lambda: others.append(store._connection()))
    thread.start()
    thread.join()
    assert others[0] is not mine
    store.close()
    assert store.query("SELECT count(*) FROM assets")[0][0] == 0   # a new connection after close
    assert store._connection() is not mine
    store.close()


def test_payloads_are_stored_with_sorted_keys_and_empty_ones_read_as_none():
    assert Store.dumps({"b": 1, "a": {"d": 2, "c": 3}}) == '{"a": {"c": 3, "d": 2}, "b": 1}'
    assert Store.loads('{"a": 1}') == {"a": 1}
    assert Store.loads("") is None and Store.loads(None) is None


def test_the_unreadable_database_messages_say_exactly_what_to_do(tmp_path):
    (tmp_path / "workspace.db").write_bytes(b"this is not a database" * 100)
    with pytest.raises(StateError) as corrupt:
        Store(tmp_path)
    assert corrupt.value.message == (
        "The emulator's state database {} cannot be read (file is not a database). Move it aside to keep it for "
        "inspection, or erase this emulator home with `azureml-emulator --home {} reset --yes`."
        .format(tmp_path / "workspace.db", tmp_path))
    newer = tmp_path / "newer"
    newer.mkdir()
    with sqlite3.connect(newer / "workspace.db") as db:
        db.execute("PRAGMA user_version={}".format(VERSION + 1))
    with pytest.raises(StateError) as too_new:
        Store(newer)
    assert too_new.value.message == (
        "The emulator's state database {} has layout version {}, newer than this azureml_emulator knows ({}): "
        "upgrade azureml_emulator, or use another home.".format(newer / "workspace.db", VERSION + 1, VERSION))
    (tmp_path / "current").mkdir()
    Store(tmp_path / "current").close()
    Store(tmp_path / "current").close()   # its own version is not "newer"


def test_migration_steps_run_once_each_from_the_databases_version(tmp_path, monkeypatch):
    """A database of version 1 gets steps 1 and 2 (each of several statements), not step 0."""
    Store(tmp_path).close()
    with sqlite3.connect(tmp_path / "workspace.db") as db:
        db.execute("PRAGMA user_version=1")
    monkeypatch.setattr(database, "VERSION", 3)
    monkeypatch.setattr(database, "MIGRATIONS", {
        0: "CREATE TABLE never (x)",
        1: "CREATE TABLE steps (n INTEGER); INSERT INTO steps VALUES (1);\n",
        2: "INSERT INTO steps VALUES (2)"})
    store = Store(tmp_path)
    assert [row["n"] for row in store.query("SELECT n FROM steps ORDER BY n")] == [1, 2]
    assert store.query("SELECT name FROM sqlite_master WHERE name='never'") == []
    assert user_version(tmp_path / "workspace.db") == 3
    store.close()
    Store(tmp_path).close()   # at version 3 already: no step runs again (step 1 would fail: table exists)


def test_a_transaction_sees_its_own_writes_and_others_see_them_at_commit(tmp_path):
    store = Store(tmp_path)
    with store.transaction() as db:
        db.execute("INSERT INTO assets (id, workspace, payload) VALUES (?, 'w', '1')", ("mine",))
        assert store.query("SELECT id FROM assets WHERE id = ?", ("mine",))[0]["id"] == "mine"   # same connection
        with sqlite3.connect(tmp_path / "workspace.db") as other:
            assert other.execute("SELECT count(*) FROM assets").fetchone()[0] == 0
    with sqlite3.connect(tmp_path / "workspace.db") as other:
        assert other.execute("SELECT count(*) FROM assets").fetchone()[0] == 1
    store.query("INSERT INTO assets (id, workspace, payload) VALUES ('autocommitted', 'w', '1')")
    with sqlite3.connect(tmp_path / "workspace.db") as other:   # a statement outside a transaction commits at once
        assert other.execute("SELECT count(*) FROM assets").fetchone()[0] == 2
    store.close()
