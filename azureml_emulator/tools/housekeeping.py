"""Operations on an emulator home that need no SDK: listing, logs, deletion, reset."""
import shutil
from datetime import datetime
from pathlib import Path

from azureml_emulator.webservices import deployment as deployments
from azureml_emulator.store.database import Store


def _rows(store, sql):
    return [dict(row) for row in store.query(sql)]


def list_models(store):
    return [dict(workspace=r["workspace"], name=r["name"], version=r["version"],
                 description=store.loads(r["payload"]).get("description"))
            for r in _rows(store, "SELECT * FROM models ORDER BY workspace, name, version")]


def list_environments(store):
    return [dict(workspace=r["workspace"], name=r["name"], version=r["version"])
            for r in _rows(store, "SELECT * FROM environments ORDER BY workspace, name, seq")]


def list_services(store):
    services = []
    for r in _rows(store, "SELECT * FROM services ORDER BY workspace, name"):
        payload, proc = store.loads(r["payload"]), store.loads(r["process"]) or {}
        services.append(dict(workspace=r["workspace"], name=r["name"], state=payload.get("state"),
                             scoring_uri=payload.get("scoringUri"), pid=proc.get("pid"), log=proc.get("log")))
    return services


def _find_service(store, name):
    rows = store.query("SELECT * FROM services WHERE name=?", (name,))
    if not rows:
        raise LookupError("no service named '{}' in {}".format(name, store.home))
    if len(rows) > 1:
        raise LookupError("several workspaces have a service named '{}'".format(name))
    return rows[0]


def service_log(store, name) -> str:
    proc = store.loads(_find_service(store, name)["process"]) or {}
    log = Path(proc.get("log", ""))
    return log.read_text(errors="replace") if log.is_file() else ""


def delete_service(store, name):
    row = _find_service(store, name)
    deployments.remove(store.loads(row["process"]))
    with store.transaction() as db:
        db.execute("DELETE FROM services WHERE workspace=? AND name=?", (row["workspace"], row["name"]))


def stop_all_services(home, created_since=None) -> int:
    """Stop the service processes of this home (only those created at or after
    ``created_since``, a UTC datetime, when given) and forget them; returns how many."""
    if not (Path(home) / "workspace.db").exists():
        return 0
    store = Store(home)
    try:
        names = [(r["workspace"], r["name"], r["process"]) for r in store.query("SELECT * FROM services")
                 if created_since is None
                 or datetime.fromisoformat(store.loads(r["payload"])["createdTime"]) >= created_since]
        for workspace, name, process in names:
            deployments.remove(store.loads(process))
            with store.transaction() as db:
                db.execute("DELETE FROM services WHERE workspace=? AND name=?", (workspace, name))
        return len(names)
    finally:
        store.close()


def reset(home):
    """Stop all services, then remove everything the emulator stored in this home."""
    stop_all_services(home)
    home = Path(home)
    for child in home.iterdir() if home.is_dir() else []:
        if child.is_dir():
            shutil.rmtree(child)
        else:
            child.unlink()
