"""Published pipelines: a graph kept under a name and version, its REST endpoint (the
service's ``PipelineRuns/PipelineSubmit/{id}``, which ``published.submit`` and an HTTP POST
with a bearer token both call), enabling and disabling it, and the runs it started."""
from __future__ import annotations

from azureml_emulator.addresses import EMULATOR_BASE_URL
from azureml_emulator.errors import BadRequest
from azureml_emulator.ids import WorkspaceKey, safe_name
from azureml_emulator.pipelines import backend, data_paths, entities
from azureml_emulator.pipelines.entities import PIPELINE_RUN, PUBLISHED
from azureml_emulator.store import Store

STATUSES = ("Active", "Deprecated", "Disabled")


def endpoint(workspace: WorkspaceKey, pipeline_id: str) -> str:
    return "{}/pipelines/v1.0{}/PipelineRuns/PipelineSubmit/{}".format(EMULATOR_BASE_URL, workspace.scope,
                                                                       pipeline_id)


def create(store: Store, workspace: WorkspaceKey, info: dict) -> dict:
    """A published pipeline from the SDK's PipelineCreationInfo (`pipeline.publish`, `run.publish_pipeline`)."""
    if not info.get("Name"):
        raise BadRequest("PipelineCreationInfo.Name is missing: a published pipeline needs a name")
    graph = backend.save_graph(store, workspace, info.get("Graph"), info.get("GraphInterface"))
    pipeline_id = entities.new_id()
    published = {"Name": info["Name"], "Description": info.get("Description"), "Version": info.get("Version"),
                 "GraphId": graph["Id"], "TotalRunSteps": len(graph.get("ModuleNodes") or []),
                 "ParameterAssignments": _parameters(graph, info),
                 "DataSetDefinitionValueAssignments": info.get("DataSetDefinitionValueAssignments") or {},
                 "Url": endpoint(workspace, pipeline_id), "EntityStatus": "Active",
                 "ContinueRunOnStepFailure": bool(info.get("ContinueRunOnStepFailure")),
                 "Properties": info.get("Properties") or {}, "EnableNotification": info.get("EnableNotification")}
    return entities.save(store, workspace, PUBLISHED, entities.stamped(published, pipeline_id))


def _parameters(graph: dict, info: dict) -> dict[str, str]:
    """The published pipeline's parameter values, a DataPath parameter's as ``datastore/path`` (as Azure
    keeps it: the SDK rebuilds the published graph from them)."""
    values = backend.parameter_values(graph, info.get("ParameterAssignments"))
    chosen = data_paths.values(graph, info.get("DataPathAssignments"), info.get("ParameterAssignments"))
    values.update({name: data_paths.text(value) for name, value in chosen.items()})
    return values


def get(store: Store, workspace: WorkspaceKey, pipeline_id: str) -> dict:
    return entities.require(store, workspace, PUBLISHED, pipeline_id)


def list_all(store: Store, workspace: WorkspaceKey, active_only: bool) -> list[dict]:
    found = entities.all_of(store, workspace, PUBLISHED)
    return [p for p in found if p["EntityStatus"] == "Active"] if active_only else found


def set_status(store: Store, workspace: WorkspaceKey, pipeline_id: str, status: object) -> None:
    if status not in STATUSES:
        raise BadRequest("Status {!r} is not one of {}".format(status, ", ".join(STATUSES)))
    entities.update(store, workspace, PUBLISHED, pipeline_id, lambda p: p.update(EntityStatus=status))


def submit(store: Store, workspace: WorkspaceKey, pipeline_id: str, info: dict, mode: str,
           parent_run_id: str | None = None) -> dict:
    """Run the published pipeline (``published.submit`` or its REST endpoint): a new pipeline run of
    its graph in the experiment named, with the parameter values given."""
    published = get(store, workspace, pipeline_id)
    if published["EntityStatus"] != "Active":
        raise BadRequest("Pipeline {} is {}: only an active published pipeline can be submitted".format(
            pipeline_id, published["EntityStatus"]), code="PipelineNotActive")
    experiment = safe_name(info.get("ExperimentName") or "", "ExperimentName")
    graph = backend.get_graph(store, workspace, published["GraphId"])
    info = dict(info, Description=info.get("Description") or published["Name"],
                ContinueRunOnStepFailure=info.get("ContinueRunOnStepFailure", published["ContinueRunOnStepFailure"]),
                ParameterAssignments=dict(published.get("ParameterAssignments") or {},
                                          **(info.get("ParameterAssignments") or {})))
    run = backend.new_run(store, workspace, experiment, graph, info, pipeline_id=pipeline_id)
    backend.submit(store, workspace, run["Id"], mode, parent_run_id=parent_run_id)
    return backend.get_pipeline_run(store, workspace, run["Id"])


def runs_of(store: Store, workspace: WorkspaceKey, pipeline_id: str) -> list[dict]:
    get(store, workspace, pipeline_id)
    return [backend.get_pipeline_run(store, workspace, run["Id"])
            for run in entities.all_of(store, workspace, PIPELINE_RUN) if run.get("PipelineId") == pipeline_id
            and run.get("IsSubmitted")]
