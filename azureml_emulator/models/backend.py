"""The model registry: assets (the files behind a model) and registered model versions.

Models are stored in the shape the Model Management Service returns them, so the
SDK's `Model` objects read them unchanged.
"""
from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Any

from azureml_emulator.errors import BadRequest, NotFound
from azureml_emulator.fields import check_fields
from azureml_emulator.ids import ArtifactId, ModelId, WorkspaceKey
from azureml_emulator.store import Store
from azureml_emulator.timestamps import posix, utc_now_iso

ASSET_URL_PREFIX = "aml://asset/"
# The service returns every field of a model, null or not; the SDK indexes them directly.
MODEL_DEFAULTS: dict[str, Any] = {
    "description": None, "mimeType": "application/json", "framework": None, "frameworkVersion": None,
    "kvTags": {}, "properties": {}, "unpack": False, "experimentName": None, "runId": None, "datasets": [],
    "parentModelId": None, "derivedModelIds": None, "resourceRequirements": None,
    "sampleInputData": None, "sampleOutputData": None,
}
# The JSON types of a model's fields a client sends (Model Management's Model).
MODEL_FIELDS = {
    "name": "string", "description": "string", "mimeType": "string", "url": "string", "framework": "string",
    "frameworkVersion": "string", "kvTags": "object", "properties": "object", "unpack": "boolean",
    "experimentName": "string", "runId": "string", "datasets": "array", "parentModelId": "string",
    "derivedModelIds": "array", "resourceRequirements": "object", "sampleInputData": "string",
    "sampleOutputData": "string", "modelFormat": "string", "tags": "array",
}
FIXED_FIELDS = ("id", "name", "version", "createdTime", "createdBy")   # a patch cannot change them
# Azure's rule for a model's name (the SDK checks it too).
MODEL_NAME = re.compile(r"[a-zA-Z0-9][a-zA-Z0-9\-._]{0,254}")


@dataclass(frozen=True)
class ModelRecord:
    """A registered model version and its payload in the service's shape."""

    id: ModelId
    payload: dict[str, Any]

    @property
    def name(self) -> str:
        return self.id.name

    @property
    def version(self) -> int:
        return self.id.version


def model_not_found(model_id: str) -> NotFound:
    return NotFound("Model {} not found".format(model_id), code="ModelNotFound")


# --- assets ---------------------------------------------------------------------------

def create_asset(store: Store, workspace: WorkspaceKey, asset: dict) -> dict:
    asset = dict(asset, id=uuid.uuid4().hex, createdTime=utc_now_iso())
    with store.transaction() as db:
        db.execute("INSERT INTO assets (id, workspace, payload) VALUES (?, ?, ?)",
                   (asset["id"], str(workspace), store.dumps(asset)))
    return asset


def get_asset(store: Store, workspace: WorkspaceKey, asset_id: str) -> dict:
    rows = store.query("SELECT payload FROM assets WHERE id=? AND workspace=?", (asset_id, str(workspace)))
    if not rows:
        raise NotFound("Asset with id {} not found".format(asset_id))
    return store.loads(rows[0]["payload"])


def asset_prefixes(store: Store, workspace: WorkspaceKey, asset_url: str) -> list[ArtifactId]:
    """The artifact prefixes behind an ``aml://asset/<id>`` model URL."""
    if not asset_url.startswith(ASSET_URL_PREFIX):
        raise BadRequest("model URL {!r} is not an asset URL ({}<id>)".format(asset_url, ASSET_URL_PREFIX))
    asset = get_asset(store, workspace, asset_url[len(ASSET_URL_PREFIX):])
    return [ArtifactId.parse(artifact["prefix"]) for artifact in asset.get("artifacts", [])]


# --- models ---------------------------------------------------------------------------

def register(store: Store, workspace: WorkspaceKey, model: dict) -> ModelRecord:
    """Record a new version of ``model["name"]`` (1 for a new name)."""
    name = model.get("name")
    if not name or not isinstance(name, str):
        raise BadRequest("Model name is required")
    if not MODEL_NAME.fullmatch(name):
        raise BadRequest("Model name {!r} is invalid: expected 1 to 255 letters, numbers, dashes, periods or "
                         "underscores, starting with a letter or number.".format(name if len(name) <= 60 else
                                                                                  name[:40] + "..."))
    check_fields(model, MODEL_FIELDS, "The model")
    model = dict(model)
    with store.transaction() as db:
        row = db.execute("SELECT MAX(version) AS v FROM models WHERE workspace=? AND name=?",
                         (str(workspace), name)).fetchone()
        model_id = ModelId(name, (row["v"] or 0) + 1)
        model.update(id=str(model_id), version=model_id.version, createdTime=utc_now_iso(),
                     createdBy={"userName": "azureml-emulator"})
        for key, default in MODEL_DEFAULTS.items():
            if model.get(key) is None:
                model[key] = default
        model["resourceRequirements"] = resource_requirements(model["resourceRequirements"])
        db.execute("INSERT INTO models (workspace, name, version, payload) VALUES (?, ?, ?, ?)",
                   (str(workspace), name, model_id.version, store.dumps(model)))
    return ModelRecord(model_id, model)


def resource_requirements(value: Any) -> Any:
    """A model's resource configuration as the service returns it: every key, null or not (the
    SDK's msrest client leaves out ``gpu`` when it is None, and `ResourceConfiguration.deserialize`
    requires it)."""
    if not isinstance(value, dict):
        return value
    return {"cpu": None, "memoryInGB": None, "gpu": None, **value}


def find(store: Store, workspace: WorkspaceKey, model_id: str) -> ModelRecord | None:
    """The model ``name:version``, or None (also for an id that is not of that form)."""
    try:
        parsed = ModelId.parse(model_id)
    except BadRequest:
        return None
    rows = store.query("SELECT payload FROM models WHERE workspace=? AND name=? AND version=?",
                       (str(workspace), parsed.name, parsed.version))
    return ModelRecord(parsed, store.loads(rows[0]["payload"])) if rows else None


def get(store: Store, workspace: WorkspaceKey, model_id: str) -> ModelRecord:
    model = find(store, workspace, model_id)
    if model is None:
        raise model_not_found(model_id)
    return model


def delete(store: Store, workspace: WorkspaceKey, model_id: str) -> None:
    model = get(store, workspace, model_id)
    with store.transaction() as db:
        db.execute("DELETE FROM models WHERE workspace=? AND name=? AND version=?",
                   (str(workspace), model.name, model.version))


def patch(store: Store, workspace: WorkspaceKey, model_id: str, operations: list) -> ModelRecord:
    """Apply a JSON-patch style list of ``{op, path, value}`` (add and replace)."""
    model = get(store, workspace, model_id)
    payload = dict(model.payload)
    for operation in operations:
        if not isinstance(operation, dict):
            raise BadRequest("Each patch operation must be a JSON object with 'op', 'path' and 'value'; got {!r}"
                             .format(operation))
        field = str(operation.get("path", "")).strip("/")
        if operation.get("op") in ("add", "replace") and field:
            value = operation.get("value")
            if field in FIXED_FIELDS:
                raise BadRequest("The patch of model {} changes '{}', which cannot change: expected changes of "
                                 "its description, tags or properties".format(model_id, field))
            check_fields({field: value}, MODEL_FIELDS, "The patch of model " + model_id)
            payload[field] = resource_requirements(value) if field == "resourceRequirements" else value
    with store.transaction() as db:
        db.execute("UPDATE models SET payload=? WHERE workspace=? AND name=? AND version=?",
                   (store.dumps(payload), str(workspace), model.name, model.version))
    return ModelRecord(model.id, payload)


def matches_pairs(actual: dict | None, query: str | None) -> bool:
    """SDK filters arrive as 'key' or 'key=value', comma separated."""
    present = actual or {}
    for item in filter(None, (query or "").split(",")):
        key, has_value, value = item.partition("=")
        if key not in present or (has_value and str(present[key]) != value):
            return False
    return True


def listing_key(model: dict) -> tuple:
    """The order of model listings (newest first, when reversed): creation time, name, version."""
    return (posix(model["createdTime"]) if model.get("createdTime") else 0.0, model["name"], int(model["version"]))


def query(store: Store, workspace: WorkspaceKey, filters: dict[str, str], count: int | None = None) -> list[dict]:
    """Models matching the SDK's list filters (name, framework, runId, tags, properties,
    latestVersionOnly), newest first as the service returns them."""
    name = filters.get("name") or None   # in SQL: MLflow's registry asks name by name
    rows = store.query("SELECT payload FROM models WHERE workspace=? AND (? IS NULL OR name=?) "
                       "ORDER BY name, version DESC", (str(workspace), name, name))
    selected, seen_names = [], set()
    for model in (store.loads(r["payload"]) for r in rows):
        if any(filters.get(key) and model.get(field) != filters[key]
               for key, field in (("name", "name"), ("framework", "framework"), ("runId", "runId"))):
            continue
        if not (matches_pairs(model.get("kvTags"), filters.get("tags"))
                and matches_pairs(model.get("properties"), filters.get("properties"))):
            continue
        if filters.get("latestVersionOnly") == "true" and model["name"] in seen_names:
            continue
        seen_names.add(model["name"])
        selected.append(model)
    selected.sort(key=listing_key, reverse=True)
    return selected if count is None else selected[:count]


def names(store: Store, workspace: WorkspaceKey, name: str | None = None) -> list[str]:
    """The names of the workspace's models (only ``name``, if it has versions, when given)."""
    rows = store.query("SELECT DISTINCT name FROM models WHERE workspace=? AND (? IS NULL OR name=?) ORDER BY name",
                       (str(workspace), name, name))
    return [row["name"] for row in rows]


def list_all(store: Store) -> list[dict[str, Any]]:
    """(workspace, name, version, description) of every model version in the home."""
    return [dict(workspace=r["workspace"], name=r["name"], version=r["version"],
                 description=store.loads(r["payload"]).get("description"))
            for r in store.query("SELECT * FROM models ORDER BY workspace, name, version")]
