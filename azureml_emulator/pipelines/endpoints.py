"""Pipeline endpoints: one name and REST endpoint for several published pipelines, its
versions ("0", "1", ...), the default one, and runs of a version by ``endpoint.submit`` or an
HTTP POST to its URL (``PipelineRuns/PipelineEndpointSubmit/Id/{id}``)."""
from __future__ import annotations

from azureml_emulator.addresses import EMULATOR_BASE_URL
from azureml_emulator.errors import BadRequest, Conflict, NotFound
from azureml_emulator.ids import WorkspaceKey
from azureml_emulator.pipelines import entities, published
from azureml_emulator.pipelines.entities import ENDPOINT
from azureml_emulator.store import Store


def url(workspace: WorkspaceKey, endpoint_id: str) -> str:
    return "{}/pipelines/v1.0{}/PipelineRuns/PipelineEndpointSubmit/Id/{}".format(
        EMULATOR_BASE_URL, workspace.scope, endpoint_id)


def _by_name(store: Store, workspace: WorkspaceKey, name: str) -> dict | None:
    return next((e for e in entities.all_of(store, workspace, ENDPOINT) if e["Name"] == name), None)


def create(store: Store, workspace: WorkspaceKey, info: dict) -> dict:
    name = info.get("Name")
    if not name:
        raise BadRequest("PipelineEndpointCreationInfo.Name is missing")
    if _by_name(store, workspace, name) is not None:
        raise Conflict("A PipelineEndpoint named {} exists already".format(name), code="PipelineEndpointExists")
    published.get(store, workspace, info.get("PipelineId") or "")
    endpoint_id = entities.new_id()
    endpoint = {"Name": name, "Description": info.get("Description"), "DefaultVersion": "0",
                "PipelineVersionList": [{"Version": "0", "PipelineId": info["PipelineId"]}],
                "Url": url(workspace, endpoint_id), "SwaggerUrl": None, "Properties": info.get("Properties") or {},
                "tags": {}}
    return entities.save(store, workspace, ENDPOINT, entities.stamped(endpoint, endpoint_id))


def get(store: Store, workspace: WorkspaceKey, endpoint_id: str) -> dict:
    return entities.require(store, workspace, ENDPOINT, endpoint_id)


def get_by_name(store: Store, workspace: WorkspaceKey, name: str) -> dict:
    endpoint = _by_name(store, workspace, name)
    if endpoint is None:
        raise NotFound("PipelineEndpoint {} was not found in this workspace".format(name),
                       code="PipelineEndpointNotFound")
    return endpoint


def list_all(store: Store, workspace: WorkspaceKey, active_only: bool) -> list[dict]:
    found = entities.all_of(store, workspace, ENDPOINT)
    return [e for e in found if e["EntityStatus"] == "Active"] if active_only else found


def update(store: Store, workspace: WorkspaceKey, endpoint_id: str, updated: dict) -> dict:
    """The SDK sends the whole endpoint back with its changes (name, default version, a new version, status)."""
    versions = updated.get("PipelineVersionList") or []
    for version in versions:
        published.get(store, workspace, version.get("PipelineId") or "")
    if len({v.get("Version") for v in versions}) != len(versions) or not versions:
        raise BadRequest("PipelineVersionList is empty or names a version twice")
    default = str(updated.get("DefaultVersion"))
    if default not in {str(v.get("Version")) for v in versions}:
        raise BadRequest("DefaultVersion {} is not one of the endpoint's versions".format(default))
    other = _by_name(store, workspace, updated.get("Name") or "")
    if other is not None and other["Id"] != endpoint_id:
        raise Conflict("A PipelineEndpoint named {} exists already".format(updated.get("Name")),
                       code="PipelineEndpointExists")

    def change(endpoint: dict) -> None:
        endpoint.update(Name=updated.get("Name") or endpoint["Name"], Description=updated.get("Description"),
                        DefaultVersion=default, EntityStatus=updated.get("EntityStatus") or endpoint["EntityStatus"],
                        PipelineVersionList=[{"Version": str(v["Version"]), "PipelineId": v["PipelineId"]}
                                             for v in versions])
    return entities.update(store, workspace, ENDPOINT, endpoint_id, change)


def pipeline_of(endpoint: dict, version: str | None) -> str:
    wanted = str(version) if version not in (None, "") else endpoint["DefaultVersion"]
    for item in endpoint["PipelineVersionList"]:
        if str(item["Version"]) == wanted:
            return item["PipelineId"]
    raise NotFound("PipelineEndpoint {} has no version {}".format(endpoint["Name"], wanted),
                   code="PipelineVersionNotFound")


def submit(store: Store, workspace: WorkspaceKey, endpoint_id: str, info: dict, mode: str, version: str | None,
           parent_run_id: str | None = None) -> dict:
    endpoint = get(store, workspace, endpoint_id)
    if endpoint["EntityStatus"] != "Active":
        raise BadRequest("PipelineEndpoint {} is {}: only an active endpoint can be submitted".format(
            endpoint["Name"], endpoint["EntityStatus"]), code="PipelineEndpointNotActive")
    return published.submit(store, workspace, pipeline_of(endpoint, version), info, mode, parent_run_id)


def pipelines(store: Store, workspace: WorkspaceKey, endpoint_id: str, active_only: bool) -> list[dict]:
    found = [published.get(store, workspace, v["PipelineId"]) for v in get(store, workspace, endpoint_id)[
        "PipelineVersionList"]]
    return [p for p in found if p["EntityStatus"] == "Active"] if active_only else found
