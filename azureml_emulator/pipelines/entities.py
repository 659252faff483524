"""The pipeline service's stored entities (data types, modules, data sources, graphs,
pipeline runs, published pipelines, pipeline endpoints, schedules, pipeline and graph drafts), one row each in the
``pipeline_entities`` table, as the service's JSON (PascalCase keys, the shapes of
`azureml/pipeline/core/_restclients/aeva/models`).

Modules and data sources also keep their identifier hash (the SDK's fingerprint), which
``Modules/Hash/{hash}`` and ``DataSources/Hash/{hash}`` look up.
"""
from __future__ import annotations

import time
import uuid
from typing import Callable

from azureml_emulator.errors import NotFound
from azureml_emulator.ids import WorkspaceKey
from azureml_emulator.store import Store
from azureml_emulator.timestamps import iso

DATATYPE, MODULE, DATASOURCE, GRAPH, PIPELINE_RUN = "datatype", "module", "datasource", "graph", "pipelinerun"
PUBLISHED, ENDPOINT, SCHEDULE = "pipeline", "pipelineendpoint", "schedule"
PIPELINE_DRAFT, GRAPH_DRAFT = "pipelinedraft", "graphdraft"
WHAT = {DATATYPE: "DataType", MODULE: "Module", DATASOURCE: "DataSource", GRAPH: "Graph",
        PIPELINE_RUN: "PipelineRun", PUBLISHED: "Pipeline", ENDPOINT: "PipelineEndpoint",
        SCHEDULE: "Schedule", PIPELINE_DRAFT: "PipelineDraft", GRAPH_DRAFT: "GraphDraft"}


public = Store.public   # an entity as the service answers it, without the emulator's bookkeeping


def new_id() -> str:
    return str(uuid.uuid4())


def stamped(entity: dict, entity_id: str) -> dict:
    """``entity`` with the fields every stored entity has (id, etag, dates, status)."""
    now = iso(time.time())
    entity.update(Id=entity_id, Etag=new_id(), CreatedDate=entity.get("CreatedDate") or now,
                  LastModifiedDate=now, EntityStatus=entity.get("EntityStatus") or "Active")
    return entity


def save(store: Store, workspace: WorkspaceKey, kind: str, entity: dict, identifier_hash: str | None = None) -> dict:
    with store.transaction() as db:
        db.execute("INSERT OR REPLACE INTO pipeline_entities (workspace, kind, id, hash, created, payload) "
                   "VALUES (?, ?, ?, ?, ?, ?)", (str(workspace), kind, entity["Id"], identifier_hash, time.time(),
                                                 store.dumps(entity)))
    return entity


def get(store: Store, workspace: WorkspaceKey, kind: str, entity_id: str) -> dict | None:
    rows = store.query("SELECT payload FROM pipeline_entities WHERE workspace=? AND kind=? AND id=?",
                       (str(workspace), kind, entity_id))
    return store.loads(rows[0]["payload"]) if rows else None


def require(store: Store, workspace: WorkspaceKey, kind: str, entity_id: str) -> dict:
    entity = get(store, workspace, kind, entity_id)
    if entity is None:
        raise NotFound("{} {} was not found in this workspace".format(WHAT[kind], entity_id),
                       code="{}NotFound".format(WHAT[kind]))
    return entity


def by_hash(store: Store, workspace: WorkspaceKey, kind: str, identifier_hash: str) -> dict | None:
    """The latest entity of ``kind`` with this identifier hash."""
    rows = store.query("SELECT payload FROM pipeline_entities WHERE workspace=? AND kind=? AND hash=? "
                       "ORDER BY created DESC LIMIT 1", (str(workspace), kind, identifier_hash))
    return store.loads(rows[0]["payload"]) if rows else None


def all_of(store: Store, workspace: WorkspaceKey, kind: str) -> list[dict]:
    """Every entity of ``kind``, oldest first."""
    rows = store.query("SELECT payload FROM pipeline_entities WHERE workspace=? AND kind=? ORDER BY created, id",
                       (str(workspace), kind))
    return [store.loads(row["payload"]) for row in rows]


def everywhere(store: Store, kind: str) -> list[tuple[WorkspaceKey, dict]]:
    """Every entity of ``kind`` in every workspace of the home, oldest first."""
    rows = store.query("SELECT workspace, payload FROM pipeline_entities WHERE kind=? ORDER BY created, id", (kind,))
    return [(WorkspaceKey.parse(row["workspace"]), store.loads(row["payload"])) for row in rows]


def update(store: Store, workspace: WorkspaceKey, kind: str, entity_id: str, change: Callable[[dict], None]) -> dict:
    """Apply ``change`` to the stored entity in one transaction (processes share it); returns it."""
    with store.transaction() as db:
        row = db.execute("SELECT payload FROM pipeline_entities WHERE workspace=? AND kind=? AND id=?",
                         (str(workspace), kind, entity_id)).fetchone()
        if row is None:
            raise NotFound("{} {} was not found in this workspace".format(WHAT[kind], entity_id),
                           code="{}NotFound".format(WHAT[kind]))
        entity = store.loads(row["payload"])
        change(entity)
        entity["LastModifiedDate"] = iso(time.time())
        db.execute("UPDATE pipeline_entities SET payload=? WHERE workspace=? AND kind=? AND id=?",
                   (store.dumps(entity), str(workspace), kind, entity_id))
    return entity


def remove(store: Store, workspace: WorkspaceKey, kind: str, entity_id: str) -> None:
    """Delete the stored entity, or NotFound when there is none."""
    with store.transaction() as db:
        deleted = db.execute("DELETE FROM pipeline_entities WHERE workspace=? AND kind=? AND id=?",
                             (str(workspace), kind, entity_id)).rowcount
    if not deleted:
        raise NotFound("{} {} was not found in this workspace".format(WHAT[kind], entity_id),
                       code="{}NotFound".format(WHAT[kind]))
