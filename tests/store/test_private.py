"""The emulator home and its state files are readable by their owner only (the database holds
the services' keys): a new home is 0700 and its database and SQLite's -wal and -shm files 0600,
and a loose home of an earlier version is tightened when it is opened."""
import os
import stat

import pytest

import azureml_emulator
from azureml_emulator.store import Store


def mode(path):
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def loose_umask():
    """The usual umask (022), under which files are created 0644 and folders 0755."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def test_a_new_home_is_its_owners_only(tmp_path, loose_umask):
    home = tmp_path / "new" / "home"
    with azureml_emulator.emulate(home=home) as emulator:
        with emulator.store.transaction() as db:   # a write, so SQLite's -wal and -shm files exist
            db.execute("INSERT INTO assets (id, workspace, payload) VALUES ('a', 'w', '{}')")
        files = {path.name: mode(path) for path in home.iterdir() if path.is_file()}
    assert mode(home) == 0o700
    assert {"workspace.db", "workspace.db-wal", "workspace.db-shm"} <= set(files)
    assert set(files.values()) == {0o600}, files


def test_a_loose_home_is_tightened_when_opened(tmp_path, loose_umask):
    home = tmp_path / "old"
    home.mkdir()
    store = Store(home)
    store.query("INSERT INTO assets (id, workspace, payload) VALUES ('a', 'w', '{}')")
    loose = [home, *(path for path in home.iterdir() if path.is_file())]
    for path in loose:
        os.chmod(path, 0o755 if path.is_dir() else 0o644)
    store.close()
    os.chmod(home / "workspace.db", 0o664)
    (home / "artifacts").mkdir(mode=0o755)
    Store(home).close()
    assert mode(home) == 0o700
    assert {path.name: mode(path) for path in home.iterdir() if path.is_file()} == {
        path.name: 0o600 for path in home.iterdir() if path.is_file()}
    assert mode(home / "artifacts") == 0o755   # inside a 0700 home: nobody else reaches it
