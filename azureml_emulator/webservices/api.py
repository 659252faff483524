"""Emulated Model Management endpoints for web services and their operations.

The SDK's Webservice classes call these over HTTP (their global requests
session), so `Model.deploy`, `wait_for_deployment`, `get_logs`, `get_keys`,
`delete`, `Webservice(ws, name)` and `Webservice.list(ws)` run their real code.
"""
import secrets
import time
import uuid
from datetime import datetime, timezone

from azureml_emulator.webservices import deployment as deployments

from azureml_emulator.execution import processes
from azureml_emulator.models.api import utc_now_iso
from azureml_emulator.runtime.context import current
from azureml_emulator.environments.pins import warn_about_pins
from azureml_emulator.rest.reply import EMULATOR_BASE_URL, Reply, json_error
from azureml_emulator.rest.router import route, workspace_key

MMS = "/modelmanagement/v1.0{scope}"
# How long one operation poll may wait for the deployment to settle (ACI itself
# takes minutes). Waiting inside the poll keeps show_output's progress lines the
# same from run to run; the SDK polls again (after 5 s) if it is still Running.
POLL_WAIT_SECONDS = 300
TERMINAL_STATES = ("Healthy", "Failed", "Unhealthy")


# --- store helpers --------------------------------------------------------------------

def load(ws, name):
    rows = current().store.query("SELECT payload, process FROM services WHERE workspace=? AND name=?", (ws, name))
    if not rows:
        return None, None
    store = current().store
    return store.loads(rows[0]["payload"]), store.loads(rows[0]["process"])


def _save(ws, service, proc):
    store = current().store
    with store.transaction() as db:
        db.execute("INSERT OR REPLACE INTO services (workspace, name, payload, process) VALUES (?, ?, ?, ?)",
                   (ws, service["name"], store.dumps(service), store.dumps(proc)))


def _save_state(ws, service, proc):
    """Store a refreshed state, unless the service was deleted (or redeployed) meanwhile."""
    store = current().store
    with store.transaction() as db:
        db.execute("UPDATE services SET payload=? WHERE workspace=? AND name=? AND process=?",
                   (store.dumps(service), ws, service["name"], store.dumps(proc)))


def _failure(service, proc, summary):
    service["state"] = "Failed"
    service["error"] = {
        "code": "ServiceDeploymentFailed",
        "message": "{}\nLast lines of the service log ({}):\n{}\n"
                   "Call service.get_logs() for the full log.".format(summary, proc.get("log"),
                                                                      deployments.log_tail(proc)),
    }


def refresh(ws, service, proc):
    """Bring the stored state up to date with the real process; returns the service."""
    state = service.get("state")
    if state == "Transitioning":
        if deployments.is_ready(service, proc):
            service["state"] = "Healthy"
        elif not processes.is_alive(proc):
            code = processes.exit_code(proc)
            how = " with exit code {}".format(code) if code is not None else ""
            _failure(service, proc, "The inference server for service '{}' exited{} before it was ready "
                                    "(init() failed, or the entry script could not be loaded)."
                     .format(service["name"], how))
    elif state == "Healthy" and not processes.is_alive(proc):
        service["state"] = "Unhealthy"
        service["error"] = {"code": "ServiceProcessExited",
                            "message": "The inference server process of service '{}' has stopped. "
                                       "Its log is {}".format(service["name"], proc.get("log"))}
    if service.get("state") != state:
        service["updatedTime"] = utc_now_iso()
        _save_state(ws, service, proc)
    return service


def settle(ws, name, wait_seconds):
    """Refresh until the deployment leaves Transitioning or the wait is over."""
    deadline = time.monotonic() + wait_seconds
    while True:
        service, proc = load(ws, name)
        if service is None:
            return None, None
        service = refresh(ws, service, proc)
        if service["state"] in TERMINAL_STATES or time.monotonic() >= deadline:
            return service, proc
        time.sleep(0.2)


# --- validation (the SDK asks before it creates) --------------------------------------

@route("POST", MMS + r"/services/validate/name/(?P<name>[^/]+)")
def validate_name(request, name, **params):
    ws = workspace_key(params)
    service, _ = load(ws, name)
    if service is not None:
        return Reply(200, {"error": {"message": "Service {} with the same name already exists, please use a "
                                                "different service name or delete the existing service."
                                                .format(name)}})
    return Reply(200, {})


@route("POST", MMS + r"/services/validate(?:/resource)?")
def validate_request(request, **params):
    return Reply(200, {})


# --- create, read, list, delete -------------------------------------------------------

@route("POST", MMS + "/services")
def create_service(request, **params):
    ws = workspace_key(params)
    payload = request.json() or {}
    existing, _ = load(ws, payload.get("name"))
    if existing is not None and not payload.get("overwrite", False):
        # Reached only when the SDK's name validation was skipped.
        return json_error(409, "Conflict", "Service {} already exists".format(payload.get("name")))
    operation_id = deploy(ws, payload)
    location = EMULATOR_BASE_URL + request.path.rsplit("/services", 1)[0] + "/operations/" + operation_id
    return Reply(202, {}, {"Operation-Location": location})


def deploy(ws, payload, port=None) -> str:
    """Record the service, start its server (replacing an existing one); returns the operation id."""
    name = payload.get("name")
    _, old_proc = load(ws, name)
    if old_proc is not None:
        deployments.remove(old_proc)
    image_request = payload.get("environmentImageRequest") or {}
    warn_about_pins(image_request.get("environment"))
    now = utc_now_iso()
    service = {
        "name": name, "computeType": payload.get("computeType", "ACI"),
        "description": payload.get("description"), "kvTags": payload.get("kvTags") or {},
        "properties": payload.get("properties") or {}, "createdTime": now, "updatedTime": now,
        "createdBy": {"userName": "azureml-emulator"}, "state": "Transitioning", "error": None,
        "authEnabled": bool(payload.get("authEnabled")),
        "containerResourceRequirements": payload.get("containerResourceRequirements"),
        "environmentImageRequest": image_request, "location": "local",
        "appInsightsEnabled": bool(payload.get("appInsightsEnabled")), "sslEnabled": False,
        "sslCertificate": None, "sslKey": None, "cname": None, "publicIp": "127.0.0.1", "publicFqdn": None,
        "imageId": None, "imageDigest": None,
    }
    if service["authEnabled"]:
        service["keys"] = [secrets.token_urlsafe(24), secrets.token_urlsafe(24)]
    try:
        proc = deployments.start(ws, service, port)
        service["scoringUri"] = "http://127.0.0.1:{}/score".format(proc["port"])
    except (deployments.DeploymentError, LookupError, OSError) as error:
        proc = {}
        service["state"] = "Failed"
        service["error"] = {"code": "ServiceDeploymentFailed", "message": str(error)}
        service["scoringUri"] = None
    operation_id = uuid.uuid4().hex
    _save(ws, service, proc)
    with current().store.transaction() as db:
        db.execute("INSERT INTO operations (id, workspace, service, kind, created) VALUES (?, ?, ?, ?, ?)",
                   (operation_id, ws, name, "Deploy", time.time()))
    return operation_id


def remove(ws, name) -> bool:
    """Stop and forget a service; False if there was none."""
    service, proc = load(ws, name)
    if service is None:
        return False
    deployments.remove(proc)
    with current().store.transaction() as db:
        db.execute("DELETE FROM services WHERE workspace=? AND name=?", (ws, name))
    return True


def service_not_found(name) -> Reply:
    return json_error(404, "WebserviceNotFound", "Service {} not found".format(name))


def public_view(service):
    view = {k: v for k, v in service.items() if k != "keys"}
    view.setdefault("models", [])
    for model in view["models"]:
        model.setdefault("tags", model.get("kvTags"))
    return view


@route("GET", MMS + r"/services/(?P<name>[^/]+)")
def get_service(request, name, **params):
    ws = workspace_key(params)
    service, proc = load(ws, name)
    if service is None:
        return service_not_found(name)
    return Reply(200, public_view(refresh(ws, service, proc)))


@route("GET", MMS + "/services")
def list_services(request, **params):
    ws = workspace_key(params)
    rows = current().store.query("SELECT name FROM services WHERE workspace=? ORDER BY name", (ws,))
    wanted_type = request.query.get("computeType")
    wanted_model = request.query.get("modelName")
    listed = []
    for row in rows:
        service, proc = load(ws, row["name"])
        if service is None:
            continue
        service = refresh(ws, service, proc)
        if wanted_type and service["computeType"] != wanted_type:
            continue
        if wanted_model and wanted_model not in [m["name"] for m in service.get("models", [])]:
            continue
        listed.append(public_view(service))
    return Reply(200, {"value": listed})


@route("DELETE", MMS + r"/services/(?P<name>[^/]+)")
def delete_service(request, name, **params):
    return Reply(200) if remove(workspace_key(params), name) else Reply(204)


@route("GET", MMS + r"/services/(?P<name>[^/]+)/logs")
def service_logs(request, name, **params):
    ws = workspace_key(params)
    service, proc = load(ws, name)
    if service is None:
        return service_not_found(name)
    lines = int(request.query.get("tail", 5000))
    return Reply(200, {"content": deployments.log_tail(proc, lines) if proc else ""})


@route("POST", MMS + r"/services/(?P<name>[^/]+)/listkeys")
def list_keys(request, name, **params):
    ws = workspace_key(params)
    service, _ = load(ws, name)
    if service is None:
        return service_not_found(name)
    if not service.get("keys"):
        return json_error(400, "BadRequest", "Service {} was deployed without key authentication "
                                             "(auth_enabled=False), so it has no keys".format(name))
    return Reply(200, {"primaryKey": service["keys"][0], "secondaryKey": service["keys"][1]})


# --- operations -----------------------------------------------------------------------

def _log_entry(message):
    return datetime.now(timezone.utc).strftime("%Y%m%d%H%M%S") + "|" + message


def _progress_log(service):
    """Deployment progress in the SDK's streaming format ("time|message#"), growing with the state."""
    steps = ["Starting the inference server (azureml-inference-server-http) on 127.0.0.1",
             "Running init() of the entry script"]
    if service["state"] == "Healthy":
        steps.append("Liveness probe answered: service is Healthy")
    elif service["state"] != "Transitioning":
        steps.append("Deployment failed: see service.get_logs()")
    return "#".join(_log_entry(step) for step in steps)


@route("GET", MMS + r"/operations/(?P<operation_id>[^/]+)")
def get_operation(request, operation_id, **params):
    ws = workspace_key(params)
    rows = current().store.query("SELECT service FROM operations WHERE id=? AND workspace=?", (operation_id, ws))
    if not rows:
        return json_error(404, "NotFound", "Operation {} not found".format(operation_id))
    name = rows[0]["service"]
    # The SDK's first poll carries no offset and should see the deployment as it is
    # right now; later polls (offset given when show_output=True) may wait for it to settle.
    offset = request.query.get("offset")
    service, proc = settle(ws, name, POLL_WAIT_SECONDS if offset is not None else 0)
    operation = {"id": operation_id, "operationType": "Deploy",
                 "operationDetails": {"subOperationType": "DeployService"}}
    if service is None:
        operation.update(state="Failed", error={"code": "WebserviceNotFound",
                                                "message": "Service {} was deleted".format(name)})
        return Reply(200, operation)
    operation["state"] = {"Healthy": "Succeeded", "Transitioning": "Running"}.get(service["state"], "Failed")
    if operation["state"] == "Failed":
        operation["error"] = service.get("error")
    if offset is not None:
        operation["streamingOperationLog"] = _progress_log(service)[int(offset or 0):]
    return Reply(200, operation)
