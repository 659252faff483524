"""Persistence of web services and their deployment operations: the only code that
reads or writes the ``services`` and ``operations`` tables."""
from __future__ import annotations

import sqlite3
import time
import uuid

from azureml_emulator.ids import WorkspaceKey
from azureml_emulator.processes import ProcessRecord
from azureml_emulator.store import Store
from azureml_emulator.webservices.records import ServiceRecord


def _record(store: Store, row: sqlite3.Row) -> ServiceRecord:
    return ServiceRecord(WorkspaceKey.parse(row["workspace"]), store.loads(row["payload"]),
                         ProcessRecord.from_json(store.loads(row["process"])))


def load(store: Store, workspace: WorkspaceKey, name: str) -> ServiceRecord | None:
    rows = store.query("SELECT workspace, payload, process FROM services WHERE workspace=? AND name=?",
                       (str(workspace), name))
    return _record(store, rows[0]) if rows else None


def list_in(store: Store, workspace: WorkspaceKey | None = None) -> list[ServiceRecord]:
    """The services of one workspace (or of the whole home), by workspace and name."""
    if workspace is None:
        rows = store.query("SELECT workspace, payload, process FROM services ORDER BY workspace, name")
    else:
        rows = store.query("SELECT workspace, payload, process FROM services WHERE workspace=? ORDER BY name",
                           (str(workspace),))
    return [_record(store, row) for row in rows]


def find_by_name(store: Store, name: str) -> list[ServiceRecord]:
    """Services called ``name`` in any workspace of the home."""
    rows = store.query("SELECT workspace, payload, process FROM services WHERE name=?", (name,))
    return [_record(store, row) for row in rows]


def service_ports(store: Store) -> set[int]:
    """The loopback ports the services of this home listen on."""
    ports = set()
    for row in store.query("SELECT process FROM services"):
        process = ProcessRecord.from_json(store.loads(row["process"]))
        if process is not None and process.port is not None:
            ports.add(process.port)
    return ports


def _process_json(store: Store, service: ServiceRecord) -> str:
    return store.dumps(service.process.to_json() if service.process else {})


def save(store: Store, service: ServiceRecord) -> None:
    with store.transaction() as db:
        db.execute("INSERT OR REPLACE INTO services (workspace, name, payload, process) VALUES (?, ?, ?, ?)",
                   (str(service.workspace), service.name, store.dumps(service.payload),
                    _process_json(store, service)))


def save_state(store: Store, service: ServiceRecord) -> None:
    """Store a refreshed payload, unless the service was deleted (or redeployed) meanwhile."""
    with store.transaction() as db:
        db.execute("UPDATE services SET payload=? WHERE workspace=? AND name=? AND process=?",
                   (store.dumps(service.payload), str(service.workspace), service.name,
                    _process_json(store, service)))


def delete(store: Store, service: ServiceRecord) -> None:
    with store.transaction() as db:
        db.execute("DELETE FROM services WHERE workspace=? AND name=?", (str(service.workspace), service.name))


def services_using(store: Store, workspace: WorkspaceKey, model_id: str) -> list[str]:
    """The names of the services that serve the model ``name:version``."""
    return sorted(service.name for service in list_in(store, workspace)
                  if any(m.get("id") == model_id for m in service.payload.get("models", [])))


def add_operation(store: Store, workspace: WorkspaceKey, service_name: str, kind: str = "Deploy") -> str:
    operation_id = uuid.uuid4().hex
    with store.transaction() as db:
        db.execute("INSERT INTO operations (id, workspace, service, kind, created) VALUES (?, ?, ?, ?, ?)",
                   (operation_id, str(workspace), service_name, kind, time.time()))
    return operation_id


def operation_of(store: Store, workspace: WorkspaceKey, operation_id: str) -> tuple[str, str] | None:
    """(what it is about, kind) of an operation: the service a "Deploy" deploys, the profile a
    "Profile" runs; None for an unknown operation."""
    rows = store.query("SELECT service, kind FROM operations WHERE id=? AND workspace=?",
                       (operation_id, str(workspace)))
    return (rows[0]["service"], rows[0]["kind"]) if rows else None
