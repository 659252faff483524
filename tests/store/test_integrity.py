"""A damaged state database is never taken for a new workspace: an emptied one in a home that
holds the workspace's files, and one with bytes overwritten inside, are refused with the store's
one clear error (naming the file and the way out), as a truncated one or a broken header are;
`azureml-emulator check` runs SQLite's thorough check, and `reset` is the way out."""
import json
import os
import random
import sqlite3

import pytest

from azureml_emulator.errors import StateError
from azureml_emulator.store import Store
from azureml_emulator.store.integrity import CHECKED_NAME
from azureml_emulator.tools import cli

WAY_OUT = ("Move it aside to keep it for inspection, or erase this emulator home with "
           "`azureml-emulator --home {} reset --yes`.")


def a_workspace_with_files(home):
    """A home with 300 stored rows of 1 KB (a database of several hundred KB) and an artifact file."""
    store = Store(home)
    with store.transaction() as db:
        db.executemany("INSERT INTO assets (id, workspace, payload) VALUES (?, 'w', ?)",
                       [("asset{}".format(i), "x" * 1024) for i in range(300)])
    store.close()
    artifact = home / "artifacts" / "ExperimentRun" / "dcid.r1" / "outputs" / "model.pkl"
    artifact.parent.mkdir(parents=True)
    artifact.write_bytes(b"weights")
    return home / "workspace.db"


def test_an_emptied_database_in_a_home_with_files_is_refused_not_started_afresh(tmp_path):
    database = a_workspace_with_files(tmp_path)
    database.write_bytes(b"")
    for name in ("workspace.db-wal", "workspace.db-shm"):
        (tmp_path / name).unlink(missing_ok=True)
    with pytest.raises(StateError) as refused:
        Store(tmp_path)
    assert refused.value.message == (
        "The emulator's state database {} cannot be read (it is empty, yet this home holds the workspace's files in "
        "artifacts: it was emptied or removed, and is not taken for a new workspace). ".format(database)
        + WAY_OUT.format(tmp_path))
    assert database.stat().st_size == 0   # nothing was written into it
    assert (tmp_path / "artifacts" / "ExperimentRun" / "dcid.r1" / "outputs" / "model.pkl").exists()
    # The way out the message gives: reset erases the home, and the next open starts a new workspace.
    assert cli.main(["--home", str(tmp_path), "reset", "--yes"]) == 0
    assert not (tmp_path / "artifacts").exists()
    store = Store(tmp_path)
    assert store.query("SELECT count(*) FROM assets")[0][0] == 0
    store.close()
    # An empty database in a home that holds no files (an empty folder holds nothing) is a new workspace.
    database.write_bytes(b"")
    (tmp_path / "artifacts").mkdir()
    Store(tmp_path).close()
    with sqlite3.connect(database) as db:
        assert db.execute("SELECT count(*) FROM assets").fetchone()[0] == 0


def overwrite_inside(database, size=64 * 1024, seed=0):
    """``size`` random bytes written over the middle of the file (its size unchanged)."""
    with open(database, "r+b") as file:
        file.seek(database.stat().st_size // 2 - size // 2)
        file.write(random.Random(seed).randbytes(size))


def test_random_bytes_inside_the_database_are_noticed_at_the_next_open(tmp_path):
    database = a_workspace_with_files(tmp_path)
    size = database.stat().st_size
    assert size > 256 * 1024
    overwrite_inside(database)
    assert database.stat().st_size == size
    # The damage comes after the last check, as it would in use: on a coarse file clock, writes in
    # the same tick as the check's record would leave the same time (see docs/emulator/differences.md).
    done = database.stat()
    os.utime(database, ns=(done.st_atime_ns, done.st_mtime_ns + 10 ** 9))
    with pytest.raises(StateError) as refused:
        Store(tmp_path)
    message = refused.value.message
    assert message.startswith("The emulator's state database {} cannot be read (".format(database))
    assert "quick_check found it damaged: " in message or "malformed" in message
    assert message.endswith(WAY_OUT.format(tmp_path))
    # As a broken header and a file cut short are refused (by SQLite itself), with the same error.
    content = database.read_bytes()
    database.write_bytes(b"not SQLite" + content[10:])
    with pytest.raises(StateError, match=r"cannot be read \(file is not a database\)\. Move it aside"):
        Store(tmp_path)
    database.write_bytes(content[:len(content) // 3])
    with pytest.raises(StateError, match=r"cannot be read \(.*(malformed|damaged).*\)\. Move it aside"):
        Store(tmp_path)


def test_an_unchanged_database_is_not_checked_again_and_the_check_command_checks_it_all(tmp_path, capsys):
    database = a_workspace_with_files(tmp_path)
    Store(tmp_path).close()   # checked at this open: its size and time are recorded
    recorded = json.loads((tmp_path / CHECKED_NAME).read_text())
    assert recorded == {"size": database.stat().st_size, "mtime_ns": database.stat().st_mtime_ns}
    assert cli.main(["--home", str(tmp_path), "check"]) == 0
    assert capsys.readouterr().out == "The state database {} is sound (SQLite's integrity_check: ok).\n".format(
        database)
    # Damage that keeps the file's size and time passes the cheap check at open...
    recorded = json.loads((tmp_path / CHECKED_NAME).read_text())
    overwrite_inside(database)
    os.utime(database, ns=(recorded["mtime_ns"], recorded["mtime_ns"]))
    Store(tmp_path).close()
    # ...and not the thorough one.
    assert cli.main(["--home", str(tmp_path), "check"]) == 2
    error = capsys.readouterr().err
    assert error.startswith("azureml-emulator: The emulator's state database {} cannot be read (".format(database))
    assert "integrity_check found it damaged: " in error or "malformed" in error
