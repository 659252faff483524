"""Emulated environment registry: the REST calls of the SDK's EnvironmentClient."""
from azureml_emulator.runtime.context import current
from azureml_emulator.rest.reply import Reply
from azureml_emulator.rest.router import route, workspace_key

ENVS = "/environment/v1.0{scope}/environments"


def _no_definition(name, version=None) -> Reply:
    message = "No definition exists for Environment: {}".format(name)
    if version is not None:
        message += " Version: {}".format(version)
    return Reply(404, {"error": {"code": "UserError", "message": message}})


def _latest(ws, name):
    rows = current().store.query(
        "SELECT payload FROM environments WHERE workspace=? AND name=? ORDER BY seq DESC LIMIT 1", (ws, name))
    return current().store.loads(rows[0]["payload"]) if rows else None


@route("PUT", ENVS + r"/(?P<name>[^/]+)(?:/versions/(?P<version>[^/]+))?")
def register_environment(request, name, version=None, **params):
    ws = workspace_key(params)
    body = request.json() or {}
    store = current().store
    with store.transaction() as db:
        row = db.execute("SELECT MAX(seq) AS s FROM environments WHERE workspace=? AND name=?",
                         (ws, name)).fetchone()
        seq = (row["s"] or 0) + 1
        version = str(version) if version is not None else str(seq)
        definition = {
            "name": name, "version": version,
            "python": body.get("python"), "environmentVariables": body.get("EnvironmentVariables"),
            "docker": body.get("Docker"), "spark": body.get("Spark"), "r": body.get("r"),
            "inferencingStackVersion": body.get("InferencingStackVersion"),
        }
        # Registering an existing version replaces its definition, as the service does.
        db.execute("INSERT OR REPLACE INTO environments (workspace, name, version, seq, payload) "
                   "VALUES (?, ?, ?, ?, ?)", (ws, name, version, seq, store.dumps(definition)))
    return Reply(200, definition)


@route("GET", ENVS + r"/(?P<name>[^/]+)(?:/versions/(?P<version>[^/]+))?")
def get_environment(request, name, version=None, **params):
    ws = workspace_key(params)
    if version is None:
        definition = _latest(ws, name)
    else:
        rows = current().store.query(
            "SELECT payload FROM environments WHERE workspace=? AND name=? AND version=?", (ws, name, version))
        definition = current().store.loads(rows[0]["payload"]) if rows else None
    return Reply(200, definition) if definition else _no_definition(name, version)


@route("GET", ENVS)
def list_environments(request, **params):
    ws = workspace_key(params)
    names = [r["name"] for r in current().store.query(
        "SELECT DISTINCT name FROM environments WHERE workspace=? ORDER BY name", (ws,))]
    return Reply(200, {"value": [_latest(ws, name) for name in names]})
