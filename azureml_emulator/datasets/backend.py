"""Datasets as the dataset service keeps them.

A *saved* dataset is one definition (the dataflow JSON the SDK sends) with an id; a
*registered* dataset is a name with versions, each pointing at a saved dataset.
Registering the same definition again under a name returns the latest version; a new
definition becomes a new version (when the SDK asks for one with create_new_version).
"""
from __future__ import annotations

import json
import time
import uuid
from typing import Any

from azureml_emulator.errors import BadRequest, Conflict, NotFound
from azureml_emulator.ids import WorkspaceKey
from azureml_emulator.store import Store
from azureml_emulator.timestamps import iso

TYPES = ("file", "tabular")


def _dataset_type(value: Any) -> str:
    kind = value.lower() if isinstance(value, str) else value
    if kind not in TYPES:
        raise BadRequest("datasetType is {!r}: expected 'file' or 'tabular'".format(value))
    return kind


def _dataflow(value: Any) -> str:
    if not isinstance(value, str) or not value:
        raise BadRequest("The dataset definition (dataflow JSON) is missing")
    try:
        json.loads(value)
    except ValueError:
        raise BadRequest("The dataset definition is not valid JSON: expected the SDK's dataflow JSON") from None
    return value


def rslex_yaml(dataflow_json: str) -> str:
    """The MLTable YAML inside a dataflow JSON (what the SDK asks for back)."""
    meta = (json.loads(dataflow_json).get("meta") or {})
    yaml = meta.get("RsDataflow")
    if not yaml:
        raise NotFound("This dataset has no RSLex definition", code="DataVersionNotFound")
    return yaml


def save(store: Store, workspace: WorkspaceKey, body: dict, **marks: Any) -> dict:
    """A new saved dataset (``marks``, private ``_`` fields, are kept with it)."""
    saved = {"id": str(uuid.uuid4()), "datasetType": _dataset_type(body.get("datasetType")),
             "properties": body.get("properties") or {}, "dataflowJson": _dataflow(body.get("dataflowJson")),
             "createdTime": iso(time.time()), **marks}
    with store.transaction() as db:
        db.execute("INSERT INTO saved_datasets (workspace, id, payload) VALUES (?, ?, ?)",
                   (str(workspace), saved["id"], store.dumps(saved)))
    return saved


def ensure_saved(store: Store, workspace: WorkspaceKey, body: dict) -> dict:
    """The SDK's ``ensure_saved`` (an unregistered dataset, before a run or pipeline uses it): an
    identical definition (type, dataflow, properties) saved this way before keeps its id, so the same
    ``Dataset.File.from_files(...)`` is the same saved dataset in every session and a step that reads
    it can be reused; anything else is saved anew."""
    kind, dataflow = _dataset_type(body.get("datasetType")), _dataflow(body.get("dataflowJson"))
    properties = body.get("properties") or {}
    for row in store.query("SELECT payload FROM saved_datasets WHERE workspace=? ORDER BY rowid", (str(workspace),)):
        found = store.loads(row["payload"])
        if found.get("_ensured") and (found["datasetType"], found["dataflowJson"], found["properties"]) == (
                kind, dataflow, properties):
            return Store.public(found)
    saved_dataset = save(store, workspace, body, _ensured=True)
    return Store.public(saved_dataset)


def saved(store: Store, workspace: WorkspaceKey, saved_id: str) -> dict | None:
    rows = store.query("SELECT payload FROM saved_datasets WHERE workspace=? AND id=?", (str(workspace), saved_id))
    found = store.loads(rows[0]["payload"]) if rows else None
    return None if found is None else Store.public(found)


def _saved_of(store: Store, workspace: WorkspaceKey, saved_id: str) -> dict:
    """The saved dataset a registered version points to (saved datasets are never removed)."""
    found = saved(store, workspace, saved_id)
    if found is None:
        raise NotFound("Saved dataset {} not found".format(saved_id), code="DatasetNotFound")
    return found


def _dto(record: dict, saved_dataset: dict) -> dict:
    return {"datasetId": record["datasetId"], "name": record["name"], "description": record["description"],
            "tags": record["tags"], "datasetType": saved_dataset["datasetType"], "isVisible": True,
            "createdTime": record["createdTime"], "modifiedTime": record["createdTime"],
            "latest": {"versionId": str(record["version"]), "savedDatasetId": saved_dataset["id"],
                       "datasetId": record["datasetId"], "dataflow": saved_dataset["dataflowJson"],
                       "properties": saved_dataset["properties"], "description": record["description"],
                       "tags": record["tags"], "createdTime": record["createdTime"],
                       "datasetDefinitionState": {}}}


def register(store: Store, workspace: WorkspaceKey, body: dict, if_exists_ok: bool, update_if_exists: bool) -> dict:
    name = body.get("name")
    if not isinstance(name, str) or not name:
        raise BadRequest("The dataset name is missing")
    latest_body = body.get("latest") or {}
    dataflow = _dataflow(latest_body.get("dataflow"))
    kind = _dataset_type(body.get("datasetType"))
    current = latest(store, workspace, name)
    if current is not None:
        if not if_exists_ok:
            raise Conflict("There is already a dataset registered under name \"{}\".".format(name),
                           code="DatasetAlreadyExists")
        current_saved = _saved_of(store, workspace, current["savedId"])
        if current_saved["dataflowJson"] == dataflow or not update_if_exists:
            return _dto(current, current_saved)
    saved_dataset = save(store, workspace, {"datasetType": kind, "properties": latest_body.get("properties"),
                                            "dataflowJson": dataflow})
    with store.transaction() as db:   # the latest version read again here: processes register at once
        row = db.execute("SELECT payload FROM datasets WHERE workspace=? AND name=? ORDER BY version DESC LIMIT 1",
                         (str(workspace), name)).fetchone()
        current = store.loads(row["payload"]) if row else None
        record = {"datasetId": current["datasetId"] if current else str(uuid.uuid4()), "name": name,
                  "version": current["version"] + 1 if current else 1, "savedId": saved_dataset["id"],
                  "description": body.get("description"), "tags": body.get("tags") or {},
                  "createdTime": iso(time.time())}
        db.execute("INSERT INTO datasets (workspace, name, version, dataset_id, saved_id, payload) "
                   "VALUES (?, ?, ?, ?, ?, ?)", (str(workspace), name, record["version"], record["datasetId"],
                                                 record["savedId"], store.dumps(record)))
    return _dto(record, saved_dataset)


def latest(store: Store, workspace: WorkspaceKey, name: str, version: int | None = None) -> dict | None:
    if version is None:
        rows = store.query("SELECT payload FROM datasets WHERE workspace=? AND name=? ORDER BY version DESC LIMIT 1",
                           (str(workspace), name))
    else:
        rows = store.query("SELECT payload FROM datasets WHERE workspace=? AND name=? AND version=?",
                           (str(workspace), name, version))
    return store.loads(rows[0]["payload"]) if rows else None


def by_dataset_id(store: Store, workspace: WorkspaceKey, dataset_id: str, version: int | None = None) -> dict | None:
    """A registered dataset's version (the latest when ``version`` is None) by the dataset's id."""
    rows = store.query("SELECT payload FROM datasets WHERE workspace=? AND dataset_id=? ORDER BY version DESC",
                       (str(workspace), dataset_id))
    records = [store.loads(row["payload"]) for row in rows]
    return next((r for r in records if version is None or r["version"] == version), None)


def dto_by_name(store: Store, workspace: WorkspaceKey, name: str, version: int | None = None) -> dict | None:
    record = latest(store, workspace, name, version)
    if record is None:
        return None
    return _dto(record, _saved_of(store, workspace, record["savedId"]))


def dto_by_saved_id(store: Store, workspace: WorkspaceKey, saved_id: str) -> dict | None:
    rows = store.query("SELECT payload FROM datasets WHERE workspace=? AND saved_id=?", (str(workspace), saved_id))
    if not rows:
        return None
    record = store.loads(rows[0]["payload"])
    return _dto(record, _saved_of(store, workspace, saved_id))


def latest_versions(store: Store, workspace: WorkspaceKey) -> list[tuple[str, int]]:
    """(name, latest version) of every registered dataset, by name."""
    rows = store.query("SELECT name, MAX(version) AS v FROM datasets WHERE workspace=? GROUP BY name ORDER BY name",
                       (str(workspace),))
    return [(r["name"], r["v"]) for r in rows]


def list_latest(store: Store, workspace: WorkspaceKey) -> list[dict]:
    found = [dto_by_name(store, workspace, name, version) for name, version in latest_versions(store, workspace)]
    return [dto for dto in found if dto is not None]
