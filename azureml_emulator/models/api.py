"""Emulated Model Management endpoints for assets and registered models.

The SDK's own ModelsClient and AssetsClient (msrest) call these over HTTP, so
their request building, paging and error handling are the real SDK's.
"""
import uuid
from datetime import datetime, timezone

from azureml_emulator.runtime.context import current
from azureml_emulator.rest.reply import Reply, json_error
from azureml_emulator.rest.router import route, workspace_key

MMS = "/modelmanagement/v1.0{scope}"
# The service returns every field of a model, null or not; the SDK indexes them directly.
MODEL_DEFAULTS = {
    "description": None, "mimeType": "application/json", "framework": None, "frameworkVersion": None,
    "kvTags": {}, "properties": {}, "unpack": False, "experimentName": None, "runId": None, "datasets": [],
    "parentModelId": None, "derivedModelIds": None, "resourceRequirements": None,
    "sampleInputData": None, "sampleOutputData": None,
}


def utc_now_iso() -> str:
    return datetime.now(timezone.utc).isoformat()


# --- assets ---------------------------------------------------------------------------

@route("POST", MMS + "/assets")
def create_asset(request, **params):
    ws = workspace_key(params)
    asset = request.json() or {}
    asset["id"] = uuid.uuid4().hex
    asset["createdTime"] = utc_now_iso()
    with current().store.transaction() as db:
        db.execute("INSERT INTO assets (id, workspace, payload) VALUES (?, ?, ?)",
                   (asset["id"], ws, current().store.dumps(asset)))
    return Reply(200, asset)


@route("GET", MMS + r"/assets/(?P<asset_id>[^/]+)")
def get_asset(request, asset_id, **params):
    ws = workspace_key(params)
    rows = current().store.query("SELECT payload FROM assets WHERE id=? AND workspace=?", (asset_id, ws))
    if not rows:
        return json_error(404, "NotFound", "Asset with id {} not found".format(asset_id))
    return Reply(200, current().store.loads(rows[0]["payload"]))


def asset_prefixes(ws: str, asset_url: str):
    """The artifact prefixes behind an ``aml://asset/<id>`` model URL."""
    asset_id = asset_url[len("aml://asset/"):]
    rows = current().store.query("SELECT payload FROM assets WHERE id=? AND workspace=?", (asset_id, ws))
    if not rows:
        raise LookupError("asset {} of a registered model is missing from the store".format(asset_id))
    return [artifact["prefix"] for artifact in current().store.loads(rows[0]["payload"])["artifacts"]]


# --- models ---------------------------------------------------------------------------

@route("POST", MMS + "/models")
def register_model(request, **params):
    ws = workspace_key(params)
    model = request.json() or {}
    name = model.get("name")
    if not name:
        return json_error(400, "BadRequest", "Model name is required")
    store = current().store
    with store.transaction() as db:
        row = db.execute("SELECT MAX(version) AS v FROM models WHERE workspace=? AND name=?",
                         (ws, name)).fetchone()
        version = (row["v"] or 0) + 1
        model.update(id="{}:{}".format(name, version), version=version, createdTime=utc_now_iso(),
                     createdBy={"userName": "azureml-emulator"})
        for key, default in MODEL_DEFAULTS.items():
            if model.get(key) is None:
                model[key] = default
        db.execute("INSERT INTO models (workspace, name, version, payload) VALUES (?, ?, ?, ?)",
                   (ws, name, version, store.dumps(model)))
    return Reply(200, model)


def find_model(ws: str, model_id: str):
    name, _, version = model_id.rpartition(":")
    if not name or not version.isdigit():
        return None
    rows = current().store.query("SELECT payload FROM models WHERE workspace=? AND name=? AND version=?",
                                 (ws, name, int(version)))
    return current().store.loads(rows[0]["payload"]) if rows else None


def _not_found(model_id):
    return json_error(404, "ModelNotFound", "Model {} not found".format(model_id))


@route("GET", MMS + r"/models/(?P<model_id>[^/]+)")
def get_model(request, model_id, **params):
    model = find_model(workspace_key(params), model_id)
    return Reply(200, model) if model else _not_found(model_id)


@route("DELETE", MMS + r"/models/(?P<model_id>[^/]+)")
def delete_model(request, model_id, **params):
    ws = workspace_key(params)
    if not find_model(ws, model_id):
        return _not_found(model_id)
    name, _, version = model_id.rpartition(":")
    with current().store.transaction() as db:
        db.execute("DELETE FROM models WHERE workspace=? AND name=? AND version=?", (ws, name, int(version)))
    return Reply(200)


@route("PATCH", MMS + r"/models/(?P<model_id>[^/]+)")
def patch_model(request, model_id, **params):
    ws = workspace_key(params)
    model = find_model(ws, model_id)
    if not model:
        return _not_found(model_id)
    for operation in request.json() or []:   # JSON-patch style list of {op, path, value}
        field = operation.get("path", "").strip("/")
        if operation.get("op") in ("add", "replace") and field:
            model[field] = operation.get("value")
    name, _, version = model_id.rpartition(":")
    with current().store.transaction() as db:
        db.execute("UPDATE models SET payload=? WHERE workspace=? AND name=? AND version=?",
                   (current().store.dumps(model), ws, name, int(version)))
    return Reply(200, model)


def _matches_pairs(actual: dict, query: str) -> bool:
    """SDK filters arrive as 'key' or 'key=value', comma separated."""
    for item in filter(None, (query or "").split(",")):
        key, has_value, value = item.partition("=")
        if key not in (actual or {}) or (has_value and str(actual[key]) != value):
            return False
    return True


def list_models(ws: str, query: dict):
    rows = current().store.query("SELECT payload FROM models WHERE workspace=? ORDER BY name, version DESC",
                                 (ws,))
    models = [current().store.loads(r["payload"]) for r in rows]
    selected, seen_names = [], set()
    for model in models:
        if query.get("name") and model["name"] != query["name"]:
            continue
        if query.get("framework") and model.get("framework") != query["framework"]:
            continue
        if query.get("runId") and model.get("runId") != query["runId"]:
            continue
        if not (_matches_pairs(model.get("kvTags"), query.get("tags"))
                and _matches_pairs(model.get("properties"), query.get("properties"))):
            continue
        if query.get("latestVersionOnly") == "true" and model["name"] in seen_names:
            continue
        seen_names.add(model["name"])
        selected.append(model)
    selected.sort(key=lambda m: m["createdTime"], reverse=True)   # newest first, as the service does
    return selected


@route("GET", MMS + "/models")
def query_models(request, **params):
    models = list_models(workspace_key(params), request.query)
    if request.query.get("count"):
        models = models[:int(request.query["count"])]
    return Reply(200, {"value": models})
