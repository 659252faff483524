"""Pipeline runs: create one from the SDK's graph, submit it (a run-history run whose
supervisor, `execution.pipeline_supervisor`, runs the steps), and answer its status, its
steps' statuses, outputs and logs, and cancel.

The run-history run is the one truth of a pipeline run's state and each started step's; the
pipeline run entity keeps the graph's id, the parameter values, and per node (``_nodes``) the
step run that carries it, whether it reused an earlier one, and a step that never ran because
another failed or the run was canceled.
"""
from __future__ import annotations

import json
import time
from typing import Any

from azureml_emulator.artifacts import backend as artifacts
from azureml_emulator.errors import BadRequest, Conflict, NotFound
from azureml_emulator.ids import ArtifactId, WorkspaceKey
from azureml_emulator.jobs import backend as jobs
from azureml_emulator.pipelines import data_paths, entities, modules, registration
from azureml_emulator.pipelines.entities import DATASOURCE, GRAPH, MODULE, PIPELINE_RUN
from azureml_emulator.runs import backend as runs
from azureml_emulator.store import Store
from azureml_emulator.timestamps import iso

SUPERVISOR = "azureml_emulator.execution.pipeline_supervisor"
STD_LOG = "user_logs/std_log.txt"

# The SDK's codes (`_AevaPipelineRunProvider.get_status`, `_AevaStepRunProvider.get_status`).
PIPELINE_CODES = {"NotStarted": "0", "Running": "1", "Failed": "2", "Completed": "3", "Canceled": "4"}
STEP_CODES = {"NotStarted": "0", "Queued": "1", "Preparing": "2", "Running": "2", "Finalizing": "2",
              "CancelRequested": "2", "Failed": "3", "Completed": "4", "Canceled": "5"}
NOT_STARTED = "0"


def _check_graph(store: Store, workspace: WorkspaceKey, graph: dict, interface: dict) -> None:
    """Every node names a module or data source of this workspace, or a DataPath parameter of the
    graph's interface; every edge joins two nodes."""
    nodes = set()
    data_paths = {p.get("Name") for p in interface.get("DataPathParameters") or []}
    for node in graph.get("ModuleNodes") or []:
        entities.require(store, workspace, MODULE, node.get("ModuleId") or "")
        nodes.add(node.get("Id"))
    for node in graph.get("DatasetNodes") or []:
        if node.get("DatasetId"):
            entities.require(store, workspace, DATASOURCE, node["DatasetId"])
        elif node.get("DataPathParameterName") and node["DataPathParameterName"] not in data_paths:
            raise BadRequest("Dataset node {} names the DataPath parameter {!r}, which the graph's interface does not "
                             "have (it has {})".format(node.get("Id"), node["DataPathParameterName"],
                                                       ", ".join(sorted(data_paths)) or "none"))
        elif not node.get("DataSetDefinition") and not node.get("DataPathParameterName"):
            raise BadRequest("Dataset node {} has no DatasetId, DataSetDefinition or DataPathParameterName"
                             .format(node.get("Id")))
        nodes.add(node.get("Id"))
    if not graph.get("ModuleNodes"):
        raise BadRequest("The graph has no module node: a pipeline needs at least one step")
    for edge in graph.get("Edges") or []:
        for end in ("SourceOutputPort", "DestinationInputPort"):
            port = edge.get(end) or {}
            if port.get("NodeId") not in nodes and not port.get("GraphPortName"):
                raise BadRequest("Edge {} {} names node {!r}, which is not in the graph".format(
                    end, port.get("PortName"), port.get("NodeId")))


def save_graph(store: Store, workspace: WorkspaceKey, graph: object, interface: dict | None) -> dict:
    """Check and record a graph the SDK sends (with its interface: the pipeline parameters)."""
    if not isinstance(graph, dict):
        raise BadRequest("The request has no Graph")
    _check_graph(store, workspace, graph, interface or {})
    graph = {key: value for key, value in graph.items() if key not in ("Id", "Etag", "CreatedDate", "LastModifiedDate")}
    graph = entities.stamped(dict(graph, _interface=interface or {}), entities.new_id())
    return entities.save(store, workspace, GRAPH, graph)


def new_run(store: Store, workspace: WorkspaceKey, experiment: str, graph: dict, info: dict,
             pipeline_id: str | None = None) -> dict:
    run = {"Description": info.get("Description"), "GraphId": graph["Id"], "IsSubmitted": False,
           "HasErrors": False, "HasWarnings": False, "UploadState": "Completed",
           "ParameterAssignments": parameter_values(graph, info.get("ParameterAssignments")),
           "DataSetDefinitionValueAssignments": info.get("DataSetDefinitionValueAssignments") or {},
           "RunHistoryExperimentName": experiment, "PipelineId": pipeline_id,
           "RunSource": info.get("RunSource") or "SDK", "RunType": info.get("RunType") or "SDK",
           "TotalRunSteps": len(graph.get("ModuleNodes") or []), "ScheduleId": info.get("ScheduleId"),
           "tags": info.get("tags") or {}, "Properties": info.get("Properties") or {},
           "_continue": bool(info.get("ContinueExperimentOnNodeFailure") or info.get("ContinueRunOnStepFailure")),
           "_data_paths": data_paths.values(graph, info.get("DataPathAssignments"),
                                            info.get("ParameterAssignments")),
           "_nodes": {}}
    # Azure's run keeps a DataPath parameter's value among its ParameterAssignments as "datastore/path",
    # which the SDK splits to rebuild the run's graph (`create_graph_from_graph_entity`).
    run["ParameterAssignments"].update({name: data_paths.text(value) for name, value in run["_data_paths"].items()})
    entities.stamped(run, entities.new_id())
    return entities.save(store, workspace, PIPELINE_RUN, run)


def create_unsubmitted(store: Store, workspace: WorkspaceKey, experiment: str, body: dict) -> dict:
    """Record the graph and a pipeline run of it, not submitted yet (the SDK submits it next)."""
    graph = save_graph(store, workspace, body.get("Graph"), body.get("GraphInterface"))
    return new_run(store, workspace, experiment, graph, body.get("CreationInfo") or {})


def get_graph(store: Store, workspace: WorkspaceKey, graph_id: str) -> dict:
    return entities.require(store, workspace, GRAPH, graph_id)


def _entity(store: Store, workspace: WorkspaceKey, run_id: str) -> dict:
    return entities.require(store, workspace, PIPELINE_RUN, run_id)


def submit(store: Store, workspace: WorkspaceKey, run_id: str, mode: str, parent_run_id: str | None = None) -> None:
    """Submit a created pipeline run: its run-history run, and the supervisor that runs its steps."""
    entity = _entity(store, workspace, run_id)
    if entity["IsSubmitted"]:
        raise Conflict("Pipeline run {} was submitted already".format(run_id), code="PipelineRunAlreadySubmitted")
    parameters = pipeline_parameters(store, workspace, entity)
    graph = get_graph(store, workspace, entity["GraphId"])
    for node in graph.get("ModuleNodes") or []:   # what no step could do is refused before any runs
        module = entities.require(store, workspace, MODULE, node["ModuleId"])
        registration.check(node, module.get("Name") or node["Id"])
        modules.refuse_disabled(store, workspace, module)
    runs.create_run(store, workspace, entity["RunHistoryExperimentName"], run_id, {
        "runType": "azureml.PipelineRun", "parentRunId": parent_run_id, "description": entity.get("Description"),
        "tags": dict(entity.get("tags") or {}, **{"azureml.pipelineComponent": "pipelinerun"}),
        "properties": dict(entity.get("Properties") or {}, **{
            "azureml.runsource": "azureml.PipelineRun", "runSource": entity["RunSource"],
            "runType": entity["RunType"], "azureml.parameters": json.dumps(parameters),
            "azureml.continue_on_step_failure": str(entity["_continue"]),
            "azureml.pipelineComponent": "pipelinerun"})})
    entities.update(store, workspace, PIPELINE_RUN, run_id, lambda run: run.update(IsSubmitted=True))
    jobs.start_job(store, workspace, run_id, mode, module=SUPERVISOR)


def parameter_values(graph: dict, assignments: dict | None) -> dict[str, str]:
    """A run's pipeline parameters: the graph's defaults, overridden by the run's assignments (the
    run keeps them all, as Azure does: the SDK rebuilds a run's graph from them). An assignment
    to a name the pipeline has no parameter of is ignored, as Azure ignores it (Microsoft's
    versioned-endpoint sample posts {"1": ..., "2": ...} to a pipeline without parameters). A
    DataPath parameter's value is its default ``datastore/path`` here (`data_paths.values` has the run's)."""
    interface = graph.get("_interface") or {}
    values = {p["Name"]: p.get("DefaultValue") for p in interface.get("Parameters") or []}
    values.update({name: data_paths.text(default) for name, default in data_paths.defaults(graph).items()
                   if default is not None})
    values.update((name, value) for name, value in (assignments or {}).items() if name in values)
    return {name: "" if value is None else str(value) for name, value in values.items()}


def pipeline_parameters(store: Store, workspace: WorkspaceKey, entity: dict) -> dict[str, str]:
    return parameter_values(get_graph(store, workspace, entity["GraphId"]), entity.get("ParameterAssignments"))


def get_pipeline_run(store: Store, workspace: WorkspaceKey, run_id: str) -> dict:
    """The pipeline run entity, its Status from its run-history run."""
    entity = _entity(store, workspace, run_id)
    history = runs.get(store, workspace, run_id)
    status = "NotStarted"
    if history is not None:
        history = runs.refresh(store, workspace, history)
        status = history["status"]
    code = PIPELINE_CODES.get(status, PIPELINE_CODES["Running"])
    entity["Status"] = {"StatusCode": code, "StatusDetail": None, "CreationTime": entity["CreatedDate"],
                        "EndTime": (history or {}).get("endTimeUtc")}
    return entity


def cancel(store: Store, workspace: WorkspaceKey, run_id: str) -> None:
    """Ask the supervisor to stop: it cancels the running steps and ends the run Canceled."""
    _entity(store, workspace, run_id)
    run = runs.get(store, workspace, run_id)
    if run is None:
        raise BadRequest("Pipeline run {} was never submitted".format(run_id))
    runs.set_status(store, workspace, run_id, "CancelRequested")


def _graph_node(store: Store, workspace: WorkspaceKey, entity: dict, node_id: str) -> dict:
    graph = get_graph(store, workspace, entity["GraphId"])
    for node in graph.get("ModuleNodes") or []:
        if node["Id"] == node_id:
            return node
    raise NotFound("Node {} is not a step of pipeline run {}".format(node_id, entity["Id"]), code="NodeNotFound")


def _status(store: Store, workspace: WorkspaceKey, entity: dict, node_id: str) -> dict:
    """A node's TaskStatus."""
    node = entity["_nodes"].get(node_id) or {}
    status: dict[str, Any] = {"StatusCode": node.get("StatusCode") or NOT_STARTED, "RunId": node.get("RunId"),
                              "CreationTime": node.get("CreationTime"), "ReuseInfo": node.get("ReuseInfo"),
                              "StatusDetail": None, "HasWarnings": False, "RequestId": None}
    if node.get("RunId") and not node.get("ReuseInfo"):
        run = runs.get(store, workspace, node["RunId"])
        if run is not None:
            run = runs.refresh(store, workspace, run)
            status.update(StatusCode=STEP_CODES.get(run["status"], NOT_STARTED), StartTime=run.get("startTimeUtc"),
                          EndTime=run.get("endTimeUtc"))
    return status


def node_status(store: Store, workspace: WorkspaceKey, run_id: str, node_id: str) -> dict:
    entity = _entity(store, workspace, run_id)
    _graph_node(store, workspace, entity, node_id)
    return _status(store, workspace, entity, node_id)


def node_statuses(store: Store, workspace: WorkspaceKey, run_id: str) -> dict[str, dict]:
    entity = _entity(store, workspace, run_id)
    graph = get_graph(store, workspace, entity["GraphId"])
    return {node["Id"]: _status(store, workspace, entity, node["Id"]) for node in graph.get("ModuleNodes") or []}


def node_outputs(store: Store, workspace: WorkspaceKey, run_id: str, node_id: str) -> dict[str, dict]:
    """Each output of a node that ran (or reused a run): its datastore path, as a NodeOutput."""
    entity = _entity(store, workspace, run_id)
    _graph_node(store, workspace, entity, node_id)
    outputs = (entity["_nodes"].get(node_id) or {}).get("Outputs") or {}
    return {name: {"DataTypeId": output["DataTypeId"], "DataLocation": {
        "StorageType": "AzureBlob", "DataReference": {"Type": "AzureBlob", "AzureBlobReference": {
            "RelativePath": output["PathOnDataStore"], "AmlDataStoreName": output["DataStoreName"]}}}}
        for name, output in outputs.items()}


def node_log(store: Store, workspace: WorkspaceKey, run_id: str, node_id: str, kind: str) -> str:
    """A step's stdout (its job's std_log.txt, where stderr goes too), stderr (empty), or job log."""
    entity = _entity(store, workspace, run_id)
    _graph_node(store, workspace, entity, node_id)
    node = entity["_nodes"].get(node_id) or {}
    step_run_id = (node.get("ReuseInfo") or {}).get("RunId") or node.get("RunId")
    if not step_run_id or kind == "stderr":
        return ""
    run = runs.get(store, workspace, step_run_id)
    if run is None:
        return ""
    name = STD_LOG if kind == "stdout" else "azureml-logs/20_image_build_log.txt"
    path = artifacts.artifact_file(store.home, ArtifactId("ExperimentRun", run["dataContainerId"]).child(name))
    return path.read_text(encoding="utf-8", errors="replace") if path.is_file() else ""


def record_node(store: Store, workspace: WorkspaceKey, run_id: str, node_id: str, **fields: Any) -> None:
    """Update what the run keeps of one node (the supervisor calls this)."""
    def change(entity: dict) -> None:
        node = entity["_nodes"].setdefault(node_id, {"CreationTime": iso(time.time())})
        node.update(fields)
    entities.update(store, workspace, PIPELINE_RUN, run_id, change)
