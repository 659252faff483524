"""AmlCompute clusters: what was provisioned, and how many nodes its jobs use now.

A cluster is ready as soon as it is created (there are no machines to allocate), scales
to the number of jobs running on it, and runs at most ``maxNodeCount`` jobs at once.
"""
from __future__ import annotations

import re
import time
from typing import Any

from azureml_emulator.errors import BadRequest, NotEmulated, NotFound
from azureml_emulator.fields import check_fields
from azureml_emulator.ids import WorkspaceKey
from azureml_emulator.store import Store

AML_COMPUTE = "AmlCompute"
AKS = "AKS"


def _whole(value: Any, what: str) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise BadRequest("{} is {!r}: expected a whole number".format(what, value)) from None
    if number < 0:
        raise BadRequest("{} is {}: expected zero or more".format(what, number))
    return number


NAME = re.compile(r"^[A-Za-z][A-Za-z0-9-]{0,14}[A-Za-z0-9]$")
NAME_RULE = ("Compute name is invalid. It can include letters, digits and dashes. It must start with a letter, "
             "end with a letter or digit, and be between 2 and 16 characters in length.")


def _scale_settings(scale: dict) -> dict:
    minimum = _whole(scale.get("minNodeCount", 0), "scaleSettings.minNodeCount")
    maximum = _whole(scale.get("maxNodeCount"), "scaleSettings.maxNodeCount")
    if maximum < 1 or minimum > maximum:
        raise BadRequest("Invalid scale settings: minNodeCount {} and maxNodeCount {}; expected 0 <= min <= max "
                         "and max >= 1".format(minimum, maximum), code="BadArgument")
    return {"minNodeCount": minimum, "maxNodeCount": maximum,
            "nodeIdleTimeBeforeScaleDown": scale.get("nodeIdleTimeBeforeScaleDown") or "PT120S"}


def create_or_update(store: Store, workspace: WorkspaceKey, name: str, body: dict) -> dict:
    """Record the cluster a PUT describes; returns the stored record."""
    if not NAME.match(name):
        raise BadRequest(NAME_RULE, code="BadArgument")
    check_fields(body, {"properties": "object", "location": "string", "tags": "object"}, "The compute")
    properties = body.get("properties") or {}
    check_fields(properties, {"computeType": "string", "description": "string", "resourceId": "string",
                              "properties": "object"}, "The compute's properties")
    check_fields(properties.get("properties") or {}, {
        "scaleSettings": "object", "vmSize": "string", "vmPriority": "string", "agentVmSize": "string",
        "clusterPurpose": "string", "loadBalancerType": "string", "loadBalancerSubnet": "string"},
        "The compute's properties.properties")
    compute_type = properties.get("computeType")
    existing = get(store, workspace, name)
    if existing is not None and type_of(existing) != compute_type:
        raise BadRequest("Compute {} already exists with type {}; a compute's type cannot change. Delete it first, "
                         "or choose another name".format(name, type_of(existing)), code="BadArgument")
    if compute_type == AKS:
        return _create_aks(store, workspace, name, body, existing)
    if compute_type != AML_COMPUTE:
        raise NotEmulated("creating a compute target of type {} (AmlCompute clusters and AKS are emulated)"
                          .format(compute_type))
    settings = (properties.get("properties") or {})
    scale = _scale_settings(settings.get("scaleSettings") or {})
    now = time.time()
    record = {
        "name": name, "location": body.get("location"), "tags": body.get("tags"),
        "description": properties.get("description"),
        "vmSize": settings.get("vmSize") or "STANDARD_DS3_V2",
        "vmPriority": "Dedicated" if (settings.get("vmPriority") or "dedicated").lower() == "dedicated"
        else "LowPriority",
        "scaleSettings": scale,
        "createdOn": existing["createdOn"] if existing else now, "modifiedOn": now,
    }
    _save(store, workspace, record)
    return record


def type_of(record: dict) -> str:
    """A compute record's type (records from before AKS have none: they are clusters)."""
    return record.get("computeType", AML_COMPUTE)


def _create_aks(store: Store, workspace: WorkspaceKey, name: str, body: dict, existing: dict | None) -> dict:
    """An AKS cluster, created or attached: recorded as Azure describes it; its web services
    run on this machine like ACI's."""
    properties = body.get("properties") or {}
    settings = properties.get("properties") or {}
    now = time.time()
    record = {"name": name, "computeType": AKS, "location": body.get("location"), "tags": body.get("tags"),
              "description": properties.get("description"), "resourceId": properties.get("resourceId"),
              "isAttached": bool(properties.get("resourceId")),
              "agentCount": _whole(settings.get("agentCount", 3), "agentCount"),
              "agentVmSize": settings.get("agentVmSize") or "Standard_D3_v2",
              "clusterPurpose": settings.get("clusterPurpose") or "FastProd",
              "loadBalancerType": settings.get("loadBalancerType") or "PublicIp",
              "loadBalancerSubnet": settings.get("loadBalancerSubnet"),
              "createdOn": existing["createdOn"] if existing else now, "modifiedOn": now}
    _save(store, workspace, record)
    return record


def require_cluster(store: Store, workspace: WorkspaceKey, name: str) -> dict:
    """An AmlCompute cluster, the only kind of target that runs training jobs here."""
    record = require(store, workspace, name)
    if type_of(record) != AML_COMPUTE:
        raise BadRequest("Compute target {} is of type {}, which does not run training jobs: submit to an "
                         "AmlCompute cluster".format(name, type_of(record)), code="UserError")
    return record


def update_scale(store: Store, workspace: WorkspaceKey, name: str, body: dict) -> dict:
    """The PATCH of ``AmlCompute.update``: new scale settings for an existing cluster."""
    record = require_cluster(store, workspace, name)
    properties = check_fields(body, {"properties": "object"}, "The compute").get("properties") or {}
    settings = check_fields(properties, {"properties": "object"}, "The compute's properties").get("properties") or {}
    scale = settings.get("scaleSettings")
    if not isinstance(scale, dict):
        raise BadRequest("Expected properties.properties.scaleSettings with minNodeCount and maxNodeCount",
                         code="BadArgument")
    record.update(scaleSettings=_scale_settings({**record["scaleSettings"], **scale}), modifiedOn=time.time())
    _save(store, workspace, record)
    return record


def _save(store: Store, workspace: WorkspaceKey, record: dict) -> None:
    with store.transaction() as db:
        db.execute("INSERT OR REPLACE INTO computes (workspace, name, payload) VALUES (?, ?, ?)",
                   (str(workspace), record["name"], store.dumps(record)))


# The VM sizes `AmlCompute.supported_vmsizes` lists: common CPU sizes with Azure's published
# vCPUs, memory and temporary disk. A subset: the emulator runs every job on this machine.
VM_SIZES = (("Standard_D1_v2", 1, 3.5, 51200), ("Standard_D2_v2", 2, 7.0, 102400), ("Standard_D3_v2", 4, 14.0, 204800),
            ("Standard_D4_v2", 8, 28.0, 409600), ("Standard_DS2_v2", 2, 7.0, 14336),
            ("Standard_DS3_v2", 4, 14.0, 28672), ("Standard_DS4_v2", 8, 28.0, 57344),
            ("Standard_DS11_v2", 2, 14.0, 28672), ("Standard_DS12_v2", 4, 28.0, 57344),
            ("Standard_F4s_v2", 4, 8.0, 32768), ("Standard_E4s_v3", 4, 32.0, 65536))


def vm_sizes() -> list[dict]:
    return [{"name": name, "family": "standard" + name.split("_")[1].rstrip("0123456789") + "Family",
             "vCPUs": cpus, "gpus": 0, "memoryGB": memory, "maxResourceVolumeMB": disk, "osVhdSizeMB": 1047552,
             "lowPriorityCapable": True, "premiumIO": "s" in name.split("_")[1].lower()}
            for name, cpus, memory, disk in VM_SIZES]


def get(store: Store, workspace: WorkspaceKey, name: str) -> dict | None:
    rows = store.query("SELECT payload FROM computes WHERE workspace=? AND name=?", (str(workspace), name))
    return store.loads(rows[0]["payload"]) if rows else None


def require(store: Store, workspace: WorkspaceKey, name: str) -> dict:
    record = get(store, workspace, name)
    if record is None:
        raise NotFound("ComputeTargetNotFound: Compute Target with name {} not found in provided workspace"
                       .format(name), code="ComputeTargetNotFound")
    return record


def list_all(store: Store, workspace: WorkspaceKey) -> list[dict]:
    rows = store.query("SELECT payload FROM computes WHERE workspace=? ORDER BY name", (str(workspace),))
    return [store.loads(row["payload"]) for row in rows]


def delete(store: Store, workspace: WorkspaceKey, name: str) -> None:
    require(store, workspace, name)
    with store.transaction() as db:
        db.execute("DELETE FROM computes WHERE workspace=? AND name=?", (str(workspace), name))


def all_clusters(store: Store) -> list[tuple[WorkspaceKey, dict]]:
    """Every workspace's clusters (for the command line)."""
    return [(WorkspaceKey.parse(r["workspace"]), store.loads(r["payload"]))
            for r in store.query("SELECT workspace, payload FROM computes ORDER BY workspace, name")]
