"""Compute routes: listed and fetched through the workspace's resource provider on the
service host (`/rp/workspaces`), created and deleted through Resource Manager, whose
asynchronous operations the SDK polls (`azureml/core/compute/compute.py`)."""
from __future__ import annotations

import uuid

from azureml_emulator.addresses import ARM, ARM_BASE_URL
from azureml_emulator.compute import backend
from azureml_emulator.ids import WorkspaceKey
from azureml_emulator.rest.reply import Reply
from azureml_emulator.rest.request import Request
from azureml_emulator.rest.router import Route
from azureml_emulator.runs import backend as runs
from azureml_emulator.timestamps import iso


def resource_id(workspace: WorkspaceKey, name: str) -> str:
    """A compute's Resource Manager id."""
    return "{}/computes/{}".format(workspace.scope, name)


def describe(request: Request, record: dict) -> dict:
    """The ComputeResource JSON Azure answers, with the nodes this cluster's jobs use now."""
    if backend.type_of(record) == backend.AKS:
        return describe_aks(request, record)
    workspace: WorkspaceKey = request.workspace
    scale = record["scaleSettings"]
    busy = runs.active_on_target(request.store, workspace, record["name"])
    current = min(max(scale["minNodeCount"], busy), scale["maxNodeCount"])
    created, modified = iso(record["createdOn"]), iso(record["modifiedOn"])
    return {
        "id": resource_id(workspace, record["name"]), "name": record["name"],
        "type": "Microsoft.MachineLearningServices/workspaces/computes", "location": record["location"],
        "tags": record["tags"],
        "properties": {
            "computeType": backend.AML_COMPUTE, "computeLocation": record["location"],
            "description": record["description"], "resourceId": None, "isAttachedCompute": False,
            "provisioningState": "Succeeded", "provisioningErrors": None,
            "createdOn": created, "modifiedOn": modified,
            "properties": {
                "vmSize": record["vmSize"], "vmPriority": record["vmPriority"], "subnet": None,
                "scaleSettings": scale, "remoteLoginPortPublicAccess": "NotSpecified",
                "currentNodeCount": current, "targetNodeCount": current, "allocationState": "Steady",
                "allocationStateTransitionTime": modified, "errors": None,
                "nodeStateCounts": {"idleNodeCount": current - min(busy, current),
                                    "runningNodeCount": min(busy, current), "preparingNodeCount": 0,
                                    "unusableNodeCount": 0, "leavingNodeCount": 0, "preemptedNodeCount": 0},
            },
        },
    }


def describe_aks(request: Request, record: dict) -> dict:
    """An AKS compute as Azure describes it (`AksCompute._initialize` reads these fields)."""
    workspace: WorkspaceKey = request.workspace
    return {
        "id": resource_id(workspace, record["name"]), "name": record["name"],
        "type": "Microsoft.MachineLearningServices/workspaces/computes", "location": record["location"],
        "tags": record["tags"],
        "properties": {
            "computeType": backend.AKS, "computeLocation": record["location"], "description": record["description"],
            "resourceId": record.get("resourceId"), "isAttachedCompute": record.get("isAttached", False),
            "provisioningState": "Succeeded", "provisioningErrors": None,
            "createdOn": iso(record["createdOn"]), "modifiedOn": iso(record["modifiedOn"]),
            "properties": {"agentCount": record["agentCount"], "agentVmSize": record["agentVmSize"],
                           "clusterPurpose": record["clusterPurpose"], "clusterFqdn": "127.0.0.1",
                           "loadBalancerType": record["loadBalancerType"],
                           "loadBalancerSubnet": record["loadBalancerSubnet"], "systemServices": None,
                           "sslConfiguration": None},
        },
    }


def list_computes(request: Request) -> Reply:
    return Reply(200, {"value": [describe(request, r) for r in backend.list_all(request.store, request.workspace)]})


def get_compute(request: Request) -> Reply:
    return Reply(200, describe(request, backend.require(request.store, request.workspace, request.params["name"])))


def _operation_header(request: Request) -> dict[str, str]:
    workspace: WorkspaceKey = request.workspace
    url = "{}subscriptions/{}/providers/Microsoft.MachineLearningServices/locations/{}/computeOperationsStatus/{}" \
        "?api-version=2020-02-02".format(ARM_BASE_URL, workspace.subscription_id, "local", uuid.uuid4())
    return {"Azure-AsyncOperation": url}


def put_compute(request: Request) -> Reply:
    existed = backend.get(request.store, request.workspace, request.params["name"]) is not None
    record = backend.create_or_update(request.store, request.workspace, request.params["name"], request.json_object())
    return Reply(200 if existed else 201, describe(request, record), _operation_header(request))


def patch_compute(request: Request) -> Reply:
    record = backend.update_scale(request.store, request.workspace, request.params["name"], request.json_object())
    return Reply(200, describe(request, record), _operation_header(request))


def list_nodes(request: Request) -> Reply:
    """The cluster's nodes: one per job running on it, the rest of ``minNodeCount`` idle."""
    record = backend.require_cluster(request.store, request.workspace, request.params["name"])
    busy = runs.running_on_target(request.store, request.workspace, record["name"])
    idle = max(record["scaleSettings"]["minNodeCount"] - len(busy), 0)
    nodes = [{"nodeId": "tvmps_{}_d".format(index), "privateIpAddress": "127.0.0.1", "publicIpAddress": "127.0.0.1",
              "port": 50000 + index, "nodeState": "running" if run_id else "idle", "runId": run_id}
             for index, run_id in enumerate(busy + [None] * idle)]
    return Reply(200, {"nodes": nodes})   # no "nextLink" at all: the SDK pages while the key is there


def vm_sizes(request: Request) -> Reply:
    return Reply(200, {"amlCompute": backend.vm_sizes()})   # likewise no "nextLink"


def delete_compute(request: Request) -> Reply:
    backend.delete(request.store, request.workspace, request.params["name"])
    return Reply(202, b"", _operation_header(request))


def operation_status(request: Request) -> Reply:
    # Creating and deleting finish at once here: there are no machines to allocate or release.
    return Reply(200, {"status": "Succeeded"})


ROUTES = (
    Route("GET", "/rp/workspaces{workspace}/computes", list_computes),
    Route("GET", "/rp/workspaces{workspace}/computes/{name}", get_compute),
    Route("GET", "{workspace}/computes/{name}", get_compute, host=ARM),
    Route("PUT", "{workspace}/computes/{name}", put_compute, host=ARM),
    Route("PATCH", "{workspace}/computes/{name}", patch_compute, host=ARM),
    Route("POST", "{workspace}/computes/{name}/listNodes", list_nodes, host=ARM),
    Route("DELETE", "{workspace}/computes/{name}", delete_compute, host=ARM),
    Route("GET", "/subscriptions/{subscription}/providers/Microsoft.MachineLearningServices/locations/{location}"
                 "/vmSizes", vm_sizes, host=ARM),
    Route("GET", "/subscriptions/{subscription}/providers/Microsoft.MachineLearningServices/locations/{location}"
                 "/computeOperationsStatus/{operation}", operation_status, host=ARM),
)
