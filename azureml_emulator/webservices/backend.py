"""Web services: deploying, updating, deleting, and what the SDK asks of a service. Their
states, and how a stored state follows the real process, are `states`'."""
from __future__ import annotations

import copy
import secrets
import time
from typing import Any

from azureml_emulator.compute import backend as compute
from azureml_emulator.errors import BadRequest, Conflict, EmulatorError, NotEmulated, NotFound
from azureml_emulator.ids import WorkspaceKey
from azureml_emulator.models import backend as models
from azureml_emulator.processes import ProcessRecord
from azureml_emulator.store import Store
from azureml_emulator.timestamps import utc_now_iso
from azureml_emulator.webservices import deployment, repository
from azureml_emulator.webservices.progress import progress_log
from azureml_emulator.webservices.records import FAILED, HEALTHY, TRANSITIONING, ServiceRecord
from azureml_emulator.webservices.states import refresh, settle

# How long one operation poll may wait for the deployment to settle (ACI itself takes
# minutes). Waiting inside the poll keeps show_output's progress lines the same from run
# to run; the SDK polls again (after 5 s) if it is still Running.
POLL_WAIT_SECONDS = 300
# How long the SDK's first poll (it carries no log offset) may wait: the SDK calls the operation
# once and then sleeps a fixed 5 s before each further call while it is Running, so a deployment
# that settles within this bound is answered done at once and that sleep never comes (a local
# deployment takes a second or two). One that takes longer (an environment's first build) is
# answered Running when the bound is over, as Azure answers it, and show_output then streams its
# progress. Far below the SDK's request timeout (MMS_SYNC_TIMEOUT_SECONDS, 80 s).
FIRST_POLL_WAIT_SECONDS = 20


def service_not_found(name: str) -> NotFound:
    return NotFound("Service {} not found".format(name), code="WebserviceNotFound")


def validate_name(store: Store, workspace: WorkspaceKey, name: str) -> str | None:
    """Azure's name-validation message when ``name`` is taken, else None."""
    if repository.load(store, workspace, name) is None:
        return None
    return ("Service {} with the same name already exists, please use a different service name or delete the "
            "existing service.".format(name))


def _new_payload(request: dict[str, Any]) -> dict[str, Any]:
    now = utc_now_iso()
    payload = {
        "name": request.get("name"), "computeType": request.get("computeType", "ACI"),
        "description": request.get("description"), "kvTags": request.get("kvTags") or {},
        "properties": request.get("properties") or {}, "createdTime": now, "updatedTime": now,
        "createdBy": {"userName": "azureml-emulator"}, "state": TRANSITIONING, "error": None,
        "authEnabled": bool(request.get("authEnabled")),
        "containerResourceRequirements": request.get("containerResourceRequirements"),
        "environmentImageRequest": request.get("environmentImageRequest") or {}, "location": "local",
        "appInsightsEnabled": bool(request.get("appInsightsEnabled")), "sslEnabled": False,
        "sslCertificate": None, "sslKey": None, "cname": None, "publicIp": "127.0.0.1", "publicFqdn": None,
        "imageId": None, "imageDigest": None,
    }
    if payload["computeType"] == "AKS":
        _aks_fields(payload, request)
    if payload["authEnabled"]:
        payload["keys"] = _keys(request.get("keys"))
    return payload


# What an AKS service carries beyond an ACI one (`AksWebservice._initialize` reads them).
AKS_FIELDS = ("computeName", "autoScaler", "numReplicas", "scoringTimeoutMs", "maxConcurrentRequestsPerContainer",
              "maxQueueWaitMs", "livenessProbeRequirements", "namespace", "dataCollection")


# Azure's defaults for what an AKS deployment configuration leaves out (None).
AKS_DEFAULTS: dict[str, Any] = {
    "autoScaler": {"autoscaleEnabled": True, "minReplicas": 1, "maxReplicas": 10, "targetUtilization": 70,
                   "refreshPeriodInSeconds": 1},
    "livenessProbeRequirements": {"initialDelaySeconds": 310, "periodSeconds": 10, "timeoutSeconds": 2,
                                  "successThreshold": 1, "failureThreshold": 3},
    "dataCollection": {"eventHubEnabled": False, "storageEnabled": False},
    "scoringTimeoutMs": 60000, "maxConcurrentRequestsPerContainer": 1, "maxQueueWaitMs": 500}


def _with_defaults(value: Any, default: Any) -> Any:
    if isinstance(default, dict):
        given = value if isinstance(value, dict) else {}
        return {key: given[key] if given.get(key) is not None else fallback for key, fallback in default.items()}
    return default if value is None else value


def _aks_fields(payload: dict[str, Any], request: dict[str, Any]) -> None:
    payload.update({field: _with_defaults(request.get(field), AKS_DEFAULTS.get(field)) for field in AKS_FIELDS})
    if request.get("numReplicas") is not None:   # fixed replicas: no autoscaling
        payload["autoScaler"]["autoscaleEnabled"] = False
    payload["authEnabled"] = request.get("authEnabled", True) is not False   # AKS services have key auth by default
    payload["aadAuthEnabled"] = bool(request.get("aadAuthEnabled"))
    if payload["aadAuthEnabled"]:
        payload["emulatorToken"] = request.get("emulatorToken") or secrets.token_urlsafe(32)


def _keys(asked: Any) -> list[str]:
    """The service's two keys: those an update keeps (a list), those a deployment names
    (``{"primaryKey": ..., "secondaryKey": ...}``, each may be None), else new ones."""
    if isinstance(asked, list) and len(asked) == 2:
        return asked
    asked = asked if isinstance(asked, dict) else {}
    return [asked.get("primaryKey") or secrets.token_urlsafe(24), asked.get("secondaryKey") or secrets.token_urlsafe(24)]


def deploy(store: Store, workspace: WorkspaceKey, request: dict[str, Any], port: int | None = None,
           overwrite: bool = True, environments: str = "build") -> str:
    """Record the service, build its environment and start its server, replacing (and
    stopping) one of the same name when ``overwrite``; returns the id of the deployment operation."""
    name = request.get("name")
    if not name or not isinstance(name, str):
        raise BadRequest("A service needs a 'name': a string of 3 to 32 lowercase letters, digits or dashes.")
    if request.get("computeType") == "AKS":
        target = compute.get(store, workspace, str(request.get("computeName")))
        if target is None or compute.type_of(target) != compute.AKS:
            raise NotFound("ComputeTargetNotFound: AKS compute target {} not found in provided workspace".format(
                request.get("computeName")), code="ComputeTargetNotFound")
    existing = repository.load(store, workspace, name)
    if existing is not None:
        if not overwrite:
            raise Conflict("Service {} already exists".format(name))
        deployment.remove(existing.process)
    payload = _new_payload(request)
    folder = deployment.new_folder(store, workspace, name)
    try:
        process = deployment.start(store, workspace, payload, folder, port, environments)
        payload["scoringUri"] = "http://127.0.0.1:{}/score".format(process.port)
    except (EmulatorError, OSError) as error:
        process = ProcessRecord(pid=None, create_time=0.0, dir=str(folder), log=str(folder / "service.log"))
        code = error.code if isinstance(error, EmulatorError) else "ServiceDeploymentFailed"
        payload.update(state=FAILED, scoringUri=None, error={
            "code": code, "statusCode": 400, "message": getattr(error, "message", str(error))})
    repository.save(store, ServiceRecord(workspace, payload, process))
    return repository.add_operation(store, workspace, name)


# What a service update (`AciWebservice.update`, a JSON patch) may change, and whether the
# change needs the server restarted: the models and code, or the keys it checks.
UPDATABLE = {"/environmentImageRequest": True, "/authEnabled": True, "/kvTags": False, "/description": False,
             "/sslEnabled": False, "/sslCertificate": False, "/sslKey": False, "/cname": False,
             "/appInsightsEnabled": False}


def update(store: Store, workspace: WorkspaceKey, name: str, operations: list, environments: str = "build"
           ) -> str | None:
    """Apply a service update; when it changes the models, code or auth, the service is
    redeployed on the same port (its scoring URI stays) and the operation id is returned."""
    existing = get(store, workspace, name)
    payload = copy.deepcopy(existing.payload)
    restart = False
    for operation in operations:
        if not isinstance(operation, dict) or operation.get("op") not in ("add", "replace") \
                or not isinstance(operation.get("path"), str):
            raise BadRequest("Each update operation must be {{'op': 'add' or 'replace', 'path': ..., 'value': ...}};"
                             " got {!r}".format(operation))
        path, value = operation["path"], operation.get("value")
        if path.startswith("/properties/") and len(path) > len("/properties/"):
            payload.setdefault("properties", {})[path[len("/properties/"):]] = value
        elif path in UPDATABLE:
            payload[path[1:]] = value
            restart = restart or UPDATABLE[path]
        elif path == "/imageId":
            raise NotEmulated("updating a service to a Docker image (Image objects are not emulated)")
        else:
            raise BadRequest("A service update cannot change {!r}: expected one of {} or /properties/<key>"
                             .format(path, ", ".join(sorted(UPDATABLE))))
    payload["updatedTime"] = utc_now_iso()
    if not restart:
        repository.save(store, ServiceRecord(workspace, payload, existing.process))
        return None
    request = dict(payload, keys=existing.keys if payload.get("authEnabled") else None)
    operation_id = deploy(store, workspace, request, port=existing.process.port if existing.process else None,
                          overwrite=True, environments=environments)
    updated = repository.load(store, workspace, name)
    if updated is not None:   # unless deleted meanwhile
        updated.payload["createdTime"] = existing.payload.get("createdTime")
        repository.save(store, updated)
    return operation_id


def get(store: Store, workspace: WorkspaceKey, name: str) -> ServiceRecord:
    service = settle(store, workspace, name, 0)
    if service is None:
        raise service_not_found(name)
    return service


def list_services(store: Store, workspace: WorkspaceKey | None = None, compute_type: str | None = None,
                  model_name: str | None = None, model_id: str | None = None, tags: str | None = None,
                  properties: str | None = None) -> list[ServiceRecord]:
    """Services with their live state: of one workspace (or of the whole home), filtered as
    `Webservice.list` asks (tags and properties: 'key' or 'key=value', comma separated)."""
    listed = []
    for service in repository.list_in(store, workspace):
        service = refresh(store, service)
        if compute_type and service.compute_type != compute_type:
            continue
        if model_name and model_name not in service.model_names:
            continue
        if model_id and not any(m.get("id") == model_id for m in service.payload.get("models", [])):
            continue
        if not (models.matches_pairs(service.payload.get("kvTags"), tags)
                and models.matches_pairs(service.payload.get("properties"), properties)):
            continue
        listed.append(service)
    return listed


def remove(store: Store, service: ServiceRecord) -> None:
    """Stop the service's server, delete its folder and forget it."""
    deployment.remove(service.process)
    repository.delete(store, service)


def delete(store: Store, workspace: WorkspaceKey, name: str) -> bool:
    """Stop and forget a service; False if there was none."""
    service = repository.load(store, workspace, name)
    if service is None:
        return False
    remove(store, service)
    return True


def logs(store: Store, workspace: WorkspaceKey, name: str, lines: int = 5000) -> str:
    service = repository.load(store, workspace, name)
    if service is None:
        raise service_not_found(name)
    return deployment.log_tail(service.process, lines)


def token(store: Store, workspace: WorkspaceKey, name: str) -> dict[str, Any]:
    """An AKS service's access token (token auth), as `AksWebservice.get_access_token` reads it."""
    service = get(store, workspace, name)
    secret = service.payload.get("emulatorToken")
    if not secret:
        raise BadRequest("Service {} was deployed without token authentication (token_auth_enabled=False), so it "
                         "has no access token".format(name))
    now = time.time()
    return {"accessToken": secret, "tokenType": "Bearer", "refreshAfter": int(now + 3600),
            "expiryOn": int(now + 7200)}


def keys(store: Store, workspace: WorkspaceKey, name: str) -> tuple[str, str]:
    service = repository.load(store, workspace, name)
    if service is None:
        raise service_not_found(name)
    if not service.keys:
        raise BadRequest("Service {} was deployed without key authentication (auth_enabled=False), so it has "
                         "no keys".format(name))
    return service.keys[0], service.keys[1]


def operation(store: Store, workspace: WorkspaceKey, operation_id: str, wait_seconds: float,
              log_offset: int | None) -> dict[str, Any]:
    """A deployment operation as the SDK polls it, waiting up to ``wait_seconds`` for it
    to settle; with ``log_offset`` it carries the progress log from that offset."""
    found = repository.operation_of(store, workspace, operation_id)
    if found is None:
        raise NotFound("Operation {} not found".format(operation_id))
    name = found[0]
    service = settle(store, workspace, name, wait_seconds)
    result: dict[str, Any] = {"id": operation_id, "operationType": "Deploy",
                              "operationDetails": {"subOperationType": "DeployService"}}
    if service is None:
        result.update(state="Failed", error={"code": "WebserviceNotFound",
                                             "message": "Service {} was deleted".format(name)})
        return result
    result["state"] = {HEALTHY: "Succeeded", TRANSITIONING: "Running"}.get(service.state, "Failed")
    if result["state"] == "Failed":
        result["error"] = service.payload.get("error")
    if log_offset is not None:
        result["streamingOperationLog"] = progress_log(service.state, service.payload.get("emulatorProgress", ()))[
            log_offset:]
    return result
