"""MLflow's model registry as Azure ML's: a workspace has one registry, so an MLflow registered
model is the workspace's model of that name and an MLflow model version is a workspace model
version (the same numbering as `Model.register`; `Model(ws, name)` finds what MLflow
registered, and MLflow lists what the SDK registered).

A version made through MLflow points at the files its ``source`` names, in the run's
artifacts (``runs:/<run>/<path>``, or the run's ``azureml://.../runs/<run>/artifacts/<path>``)
or in a local upload azureml-mlflow made (``azureml://artifacts/<origin>/<container>/<path>``);
its model payload is recorded like any other, with the source in its properties. A registered
model with no version yet (``create_registered_model``) is kept in ``registered_models``.
"""
from __future__ import annotations

import re
from typing import Any

from azureml_emulator.artifacts import backend as artifacts
from azureml_emulator.ids import ArtifactId, WorkspaceKey, data_container_id, safe_name
from azureml_emulator.models import backend as models
from azureml_emulator.store import Store
from azureml_emulator.timestamps import posix, utc_now_iso
from azureml_emulator.tracking.backend import MlflowError, require_run
from azureml_emulator.webservices import repository

SOURCE_PROPERTY = "mlflow.modelSourceUri"
MODEL_NAME = models.MODEL_NAME
STAGES = ("None", "Staging", "Production", "Archived")
VERSION_FIELDS = ("name", "run_id")
RESOURCE_EXISTS = "Registered Model (name={}) already exists."
_RUN_ARTIFACTS = re.compile(r"^azureml://[^/]+/mlflow/v\d\.\d/subscriptions/[^/]+/resourceGroups/[^/]+/providers/"
                            r"Microsoft\.MachineLearningServices/workspaces/[^/]+/experiments/[^/]+/runs/([^/]+)"
                            r"/artifacts(?:/(.*))?$")
_RUNS_URI = re.compile(r"^runs:/([^/]+)(?:/(.*))?$")
_LOCAL_UPLOAD = re.compile(r"^azureml://artifacts/([^/]+)/([^/]+)/(.+)$")
# One clause of a registry search filter: a field equal to a quoted value; and the clause MLflow 3
# adds to every search to leave prompts out.
_CLAUSE = re.compile(r"^\s*(\w+)\s*=\s*'([^']*)'\s*$")
_NOT_A_PROMPT = re.compile(r"^\s*tags?\.`?mlflow\.prompt\.is_prompt`?\s*!=\s*'true'\s*$", re.IGNORECASE)


def _millis(timestamp: str | None) -> int:
    return int(posix(timestamp) * 1000) if timestamp else 0


def _pairs(tags: dict | None) -> list[dict]:
    return [{"key": str(k), "value": str(v)} for k, v in (tags or {}).items()]


def _tags(entries: Any) -> dict[str, str]:
    if entries in (None, []):
        return {}
    if not isinstance(entries, list) or not all(isinstance(e, dict) and "key" in e for e in entries):
        raise MlflowError(400, "INVALID_PARAMETER_VALUE", "tags must be a list of {'key': ..., 'value': ...}")
    return {str(e["key"]): _text(e.get("value")) for e in entries}


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _name(body: Any) -> str:
    name = body.get("name")
    if not isinstance(name, str) or not name.strip():
        raise MlflowError(400, "INVALID_PARAMETER_VALUE", "Missing value for required parameter 'name'.")
    if not MODEL_NAME.fullmatch(name):   # Azure's rule for a model's name (the SDK checks it too)
        raise MlflowError(400, "INVALID_PARAMETER_VALUE", "Model name {!r} is invalid. It must only consist of "
                          "letters, numbers, dashes, periods, or underscores, start with a letter or number, and be "
                          "between 1 and 255 characters long.".format(name))
    return name


def _description(body: dict) -> str | None:
    description = body.get("description")
    if description is not None and not isinstance(description, str):
        raise MlflowError(400, "INVALID_PARAMETER_VALUE", "description is {!r}: expected a string".format(description))
    return description or None


def version_dto(store: Store, workspace: WorkspaceKey, model: dict) -> dict:
    """A workspace model version as MLflow's ModelVersion (its version is a string)."""
    properties = model.get("properties") or {}
    created = _millis(model.get("createdTime"))
    return {"name": model["name"], "version": str(model["version"]), "creation_timestamp": created,
            "last_updated_timestamp": _millis(model.get("modifiedTime")) or created, "user_id": "",
            "current_stage": model.get("mlflowStage") or STAGES[0], "description": model.get("description") or "",
            "source": properties.get(SOURCE_PROPERTY) or _source_of(store, workspace, model), "run_id": model.get("runId") or "",
            "status": "READY", "tags": _pairs(model.get("kvTags")), "run_link": ""}


def _source_of(store: Store, workspace: WorkspaceKey, model: dict) -> str:
    """Where MLflow downloads a version the SDK registered: its files in the artifact store."""
    url = model.get("url") or ""
    if not url.startswith(models.ASSET_URL_PREFIX):
        return url
    prefixes = models.asset_prefixes(store, workspace, url)
    return "azureml://artifacts/" + str(prefixes[0]) if prefixes else ""


def _versions(store: Store, workspace: WorkspaceKey, name: str) -> list[dict]:
    return sorted(models.query(store, workspace, {"name": name}), key=lambda m: m["version"])


def _record(store: Store, workspace: WorkspaceKey, name: str) -> dict | None:
    rows = store.query("SELECT payload FROM registered_models WHERE workspace=? AND name=?", (str(workspace), name))
    return store.loads(rows[0]["payload"]) if rows else None


def _registered_dto(store: Store, workspace: WorkspaceKey, name: str) -> dict | None:
    record, versions = _record(store, workspace, name), _versions(store, workspace, name)
    if record is None and not versions:
        return None
    record = record or {"created": versions[0]["createdTime"], "description": "", "tags": {}}
    latest = [version_dto(store, workspace, versions[-1])] if versions else []
    updated = max([_millis(record["created"])] + [_millis(v["createdTime"]) for v in versions])
    return {"name": name, "creation_timestamp": _millis(record["created"]), "last_updated_timestamp": updated,
            "user_id": "", "description": record.get("description") or "", "latest_versions": latest,
            "tags": _pairs(record.get("tags"))}


def _not_found(name: str) -> MlflowError:
    return MlflowError(404, "RESOURCE_DOES_NOT_EXIST", "Registered Model with name={} not found".format(name))


def create_registered_model(store: Store, workspace: WorkspaceKey, body: dict) -> dict:
    name = _name(body)
    record = {"created": utc_now_iso(), "description": _description(body) or "", "tags": _tags(body.get("tags"))}
    exists = RESOURCE_EXISTS.format(name)
    if models.names(store, workspace, name):
        raise MlflowError(400, "RESOURCE_ALREADY_EXISTS", exists)
    with store.transaction() as db:
        if db.execute("SELECT 1 FROM registered_models WHERE workspace=? AND name=?",
                      (str(workspace), name)).fetchone():
            raise MlflowError(400, "RESOURCE_ALREADY_EXISTS", exists)
        db.execute("INSERT INTO registered_models (workspace, name, payload) VALUES (?, ?, ?)",
                   (str(workspace), name, store.dumps(record)))
    return get_registered_model(store, workspace, name)


def get_registered_model(store: Store, workspace: WorkspaceKey, name: str) -> dict:
    name = _name({"name": name})
    found = _registered_dto(store, workspace, name)
    if found is None:
        raise _not_found(name)
    return found


def _matches(filter_string: str | None, fields: dict[str, str], searchable: tuple[str, ...]) -> bool:
    """Azure ML's MLflow registry search: clauses joined by AND, each one of ``searchable``
    (``name``; also ``run_id`` for versions) ``= '<value>'``. MLflow 3's own clause that leaves
    prompts out is accepted (no model here is a prompt). LIKE, ILIKE and tag filters are not
    supported by Azure ML's MLflow registry, and are refused saying so."""
    for clause in re.split(r"\s+AND\s+", filter_string or "", flags=re.IGNORECASE):
        if not clause.strip() or _NOT_A_PROMPT.match(clause):
            continue
        match = _CLAUSE.match(clause)
        if match is None or match.group(1).lower() not in searchable:
            raise MlflowError(400, "INVALID_PARAMETER_VALUE", "Azure Machine Learning's MLflow model registry "
                              "searches with {} only (LIKE, ILIKE and tag filters are not supported); got filter "
                              "{!r}".format(" and ".join("{} = '...'".format(key) for key in searchable), filter_string))
        if fields.get(match.group(1).lower()) != match.group(2):
            return False
    return True


def _names(store: Store, workspace: WorkspaceKey) -> list[str]:
    """Every registered model's name: those with versions and those MLflow made without one."""
    rows = store.query("SELECT name FROM registered_models WHERE workspace=?", (str(workspace),))
    return sorted({row["name"] for row in rows} | set(models.names(store, workspace)))


def search_registered_models(store: Store, workspace: WorkspaceKey, filter_string: str | None) -> list[dict]:
    _matches(filter_string, {}, ("name",))   # a filter Azure refuses is refused, even with nothing to search
    found = [_registered_dto(store, workspace, name) for name in _names(store, workspace)]
    return [model for model in found if model is not None and _matches(filter_string, {"name": model["name"]},
                                                                         ("name",))]


def update_registered_model(store: Store, workspace: WorkspaceKey, body: dict) -> dict:
    name = _name(body)
    get_registered_model(store, workspace, name)
    versions = _versions(store, workspace, name)
    record = _record(store, workspace, name) or {"created": versions[0]["createdTime"], "tags": {}}
    record["description"] = _description(body) or ""
    with store.transaction() as db:
        db.execute("INSERT OR REPLACE INTO registered_models (workspace, name, payload) VALUES (?, ?, ?)",
                   (str(workspace), name, store.dumps(record)))
    return get_registered_model(store, workspace, name)


def _prefix(store: Store, workspace: WorkspaceKey, source: str) -> tuple[ArtifactId, str | None]:
    """The artifacts a version's source names, and the run they belong to."""
    for pattern in (_RUNS_URI, _RUN_ARTIFACTS):
        match = pattern.match(source)
        if match:
            run_id = safe_name(match.group(1), "run id")
            require_run(store, workspace, run_id)
            path = (match.group(2) or "").strip("/")
            return ArtifactId("ExperimentRun", data_container_id(run_id), path), run_id
    match = _LOCAL_UPLOAD.match(source)
    if match:
        return ArtifactId(match.group(1), match.group(2), match.group(3).strip("/")), None
    raise MlflowError(400, "INVALID_PARAMETER_VALUE", "azureml_emulator registers model versions from a run's "
                      "artifacts (runs:/<run id>/<path>, or the run's azureml:// artifact URI) or from a local MLflow "
                      "model folder given as file:///path/to/folder (azureml-mlflow uploads it); got source {!r}"
                      .format(source))


def create_model_version(store: Store, workspace: WorkspaceKey, body: dict) -> dict:
    """A new version of the workspace model ``name``, made of the files under ``source``."""
    name, source = _name(body), body.get("source")
    if not isinstance(source, str) or not source:
        raise MlflowError(400, "INVALID_PARAMETER_VALUE", "Missing value for required parameter 'source'.")
    prefix, run_id = _prefix(store, workspace, source)
    run_id = str(body.get("run_id") or "") or run_id
    if not artifacts.files_under(store.home, prefix):
        raise MlflowError(400, "INVALID_PARAMETER_VALUE", "No artifacts found under {} (artifact path {!r}): the "
                          "model version's source must name the folder that holds the model's files".format(
                              source, prefix.path))
    experiment = require_run(store, workspace, run_id)["experimentName"] if run_id else None
    asset = models.create_asset(store, workspace, {"artifacts": [{"prefix": str(prefix)}], "name": name,
                                                   "mimeType": "application/octet-stream"})
    record = models.register(store, workspace, {
        "name": name, "url": models.ASSET_URL_PREFIX + asset["id"], "mimeType": "application/octet-stream",
        "description": _description(body), "kvTags": _tags(body.get("tags")),
        "properties": {SOURCE_PROPERTY: source}, "runId": run_id or None, "experimentName": experiment})
    return version_dto(store, workspace, record.payload)


def get_model_version(store: Store, workspace: WorkspaceKey, name: str, version: Any) -> dict:
    if not re.fullmatch(r"[0-9]{1,18}", str(version)):
        raise MlflowError(400, "INVALID_PARAMETER_VALUE", "version is {!r}: expected a whole number".format(version))
    found = models.find(store, workspace, "{}:{}".format(_name({"name": name}), version))
    if found is None:
        raise MlflowError(404, "RESOURCE_DOES_NOT_EXIST", "Model Version (name={}, version={}) not found".format(
            name, version))
    return found.payload


def search_model_versions(store: Store, workspace: WorkspaceKey, filter_string: str | None) -> list[dict]:
    _matches(filter_string, {}, VERSION_FIELDS)
    found = []
    for name in _names(store, workspace):
        found += [version_dto(store, workspace, m) for m in reversed(_versions(store, workspace, name))]
    return [version for version in found if _matches(
        filter_string, {"name": version["name"], "run_id": version["run_id"]}, VERSION_FIELDS)]


def latest_versions(store: Store, workspace: WorkspaceKey, name: str, stages: Any = None) -> list[dict]:
    """The newest version in each stage asked for (in every stage when none is)."""
    get_registered_model(store, workspace, name)
    if stages is not None and not (isinstance(stages, list) and all(isinstance(x, str) for x in stages)):
        raise MlflowError(400, "INVALID_PARAMETER_VALUE", "stages is {!r}: expected a list of stage names"
                          .format(stages))
    wanted = {stage.lower() for stage in stages or STAGES}
    newest: dict[str, dict] = {}
    for model in _versions(store, workspace, name):
        dto = version_dto(store, workspace, model)
        if dto["current_stage"].lower() in wanted:
            newest[dto["current_stage"]] = dto
    return sorted(newest.values(), key=lambda dto: int(dto["version"]))


def _stage(value: Any) -> str:
    for stage in STAGES:
        if isinstance(value, str) and value.lower() == stage.lower():
            return stage
    raise MlflowError(400, "INVALID_PARAMETER_VALUE", "Invalid Model Version stage: {}. Value must be one of {}."
                      .format(value, ", ".join(STAGES)))


def transition_stage(store: Store, workspace: WorkspaceKey, body: dict) -> dict:
    """Move a version to a stage; with ``archive_existing_versions``, the versions already in
    that stage (Staging or Production) move to Archived."""
    model = get_model_version(store, workspace, _name(body), body.get("version"))
    stage = _stage(body.get("stage"))
    if body.get("archive_existing_versions") and stage in ("Staging", "Production"):
        for other in _versions(store, workspace, model["name"]):
            if other["id"] != model["id"] and other.get("mlflowStage") == stage:
                models.patch(store, workspace, other["id"], [{"op": "replace", "path": "/mlflowStage",
                                                              "value": "Archived"}])
    changed = models.patch(store, workspace, model["id"], [
        {"op": "replace", "path": "/mlflowStage", "value": stage},
        {"op": "replace", "path": "/modifiedTime", "value": utc_now_iso()}])
    return version_dto(store, workspace, changed.payload)


def update_model_version(store: Store, workspace: WorkspaceKey, body: dict) -> dict:
    model = get_model_version(store, workspace, _name(body), body.get("version"))
    changed = models.patch(store, workspace, model["id"], [
        {"op": "replace", "path": "/description", "value": _description(body)},
        {"op": "replace", "path": "/modifiedTime", "value": utc_now_iso()}])
    return version_dto(store, workspace, changed.payload)


def set_version_tag(store: Store, workspace: WorkspaceKey, body: dict) -> None:
    model = get_model_version(store, workspace, _name(body), body.get("version"))
    if not isinstance(body.get("key"), str) or not body["key"]:
        raise MlflowError(400, "INVALID_PARAMETER_VALUE", "Missing value for required parameter 'key'.")
    tags = dict(model.get("kvTags") or {}, **{body["key"]: _text(body.get("value"))})
    models.patch(store, workspace, model["id"], [{"op": "replace", "path": "/kvTags", "value": tags}])


def delete_version_tag(store: Store, workspace: WorkspaceKey, body: dict) -> None:
    model = get_model_version(store, workspace, _name(body), body.get("version"))
    tags = dict(model.get("kvTags") or {})
    if body.get("key") not in tags:
        raise MlflowError(404, "RESOURCE_DOES_NOT_EXIST", "No tag with name: {} for model {} version {}".format(
            body.get("key"), model["name"], model["version"]))
    del tags[body["key"]]
    models.patch(store, workspace, model["id"], [{"op": "replace", "path": "/kvTags", "value": tags}])


def delete_model_version(store: Store, workspace: WorkspaceKey, body: dict) -> None:
    """Delete a version, unless a web service serves it (as the workspace's model deletion refuses)."""
    model = get_model_version(store, workspace, _name(body), body.get("version"))
    users = repository.services_using(store, workspace, model["id"])
    if users:
        raise MlflowError(400, "INVALID_STATE", "Model version {} is used by the web service(s) {}: delete them, or "
                          "update them to other models, before deleting it".format(model["id"], ", ".join(users)))
    models.delete(store, workspace, model["id"])
