"""Pipeline drafts (the SDK's `PipelineDraft`): a mutable pipeline kept under a name, made of a
graph draft (``GraphDrafts``: the steps, edges and parameter interface, which may change) and
a pipeline draft (``PipelineDrafts``: name, description, tags, properties and the submission
info, PipelineSubmissionInfo: experiment, parameter values, continue on step failure).

A draft may be cloned from a pipeline run, a published pipeline or another draft. Submitting
it freezes its graph draft into a graph and starts a pipeline run of it through the same
`backend.save_graph`, `backend.new_run` and `backend.submit` as ``pipeline.submit``;
publishing it goes through `published.create`, as ``pipeline.publish`` does. Shapes are the
models PipelineDraftEntity and GraphDraftEntity of the SDK's pipeline client.
"""
from __future__ import annotations

from typing import Any

from azureml_emulator.errors import BadRequest
from azureml_emulator.fields import check_fields
from azureml_emulator.ids import WorkspaceKey, safe_name
from azureml_emulator.pipelines import backend, entities, published
from azureml_emulator.pipelines.entities import GRAPH_DRAFT, PIPELINE_DRAFT, PIPELINE_RUN
from azureml_emulator.store import Store

GRAPH_FIELDS = {"ModuleNodes": "array", "DatasetNodes": "array", "Edges": "array", "EntityInterface": "object",
                "GraphLayout": "object", "DefaultCompute": "object"}
SUBMISSION_FIELDS = {"ExperimentName": "string", "Description": "string", "ParameterAssignments": "object",
                     "DataPathAssignments": "object", "DataSetDefinitionValueAssignments": "object",
                     "ContinueRunOnStepFailure": "boolean", "tags": "object", "Properties": "object"}


def _stamped(entity: dict, entity_id: str) -> dict:
    entity = entities.stamped(entity, entity_id)
    entity.pop("EntityStatus")   # drafts have no status in the service's models
    return entity


def _strings(value: object, what: str) -> dict[str, str]:
    """A JSON object of strings ({} for null), or BadRequest naming it."""
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise BadRequest("{}: {!r} is not a JSON object of strings, which is expected".format(what, value))
    return dict(value)


def _graph_parts(body: dict) -> dict[str, Any]:
    check_fields(body, GRAPH_FIELDS, "The GraphDraftEntity")
    return {"ModuleNodes": body.get("ModuleNodes") or [], "DatasetNodes": body.get("DatasetNodes") or [],
            "Edges": body.get("Edges") or [], "EntityInterface": body.get("EntityInterface") or {},
            "GraphLayout": body.get("GraphLayout"), "DefaultCompute": body.get("DefaultCompute"),
            "CreatedBy": None, "LastUpdatedBy": None}


def create_graph_draft(store: Store, workspace: WorkspaceKey, body: dict) -> dict:
    """A graph draft as the SDK sends it (`create_graph_draft`): nodes, edges and the interface.
    Like a draft in the designer it may be incomplete; its graph is checked when it is submitted
    or published."""
    return entities.save(store, workspace, GRAPH_DRAFT, _stamped(_graph_parts(body), entities.new_id()))


def get_graph_draft(store: Store, workspace: WorkspaceKey, graph_draft_id: str) -> dict:
    return entities.require(store, workspace, GRAPH_DRAFT, graph_draft_id)


def update_graph_draft(store: Store, workspace: WorkspaceKey, graph_draft_id: str, body: dict) -> dict:
    parts = _graph_parts(body)
    return entities.update(store, workspace, GRAPH_DRAFT, graph_draft_id,
                           lambda draft: draft.update(parts, Etag=entities.new_id()))


def delete_graph_draft(store: Store, workspace: WorkspaceKey, graph_draft_id: str) -> None:
    entities.remove(store, workspace, GRAPH_DRAFT, graph_draft_id)


def _submission_info(value: object) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise BadRequest("PipelineSubmissionInfo is {!r}: expected a JSON object".format(value))
    info = dict(check_fields(value, SUBMISSION_FIELDS, "PipelineSubmissionInfo"))
    if info.get("ExperimentName") is not None:
        safe_name(info["ExperimentName"], "ExperimentName")
    return info


def _draft(store: Store, workspace: WorkspaceKey, name: object, body: dict, graph_draft_id: str,
           **parents: Any) -> dict:
    if not isinstance(name, str) or not name.strip():
        raise BadRequest("PipelineDraftEntity.Name is {!r}: a pipeline draft needs a name".format(name))
    get_graph_draft(store, workspace, graph_draft_id)
    draft = {"Name": name, "Description": body.get("Description"), "tags": _strings(body.get("tags"), "tags"),
             "Properties": _strings(body.get("Properties"), "Properties"),
             "PipelineSubmissionInfo": _submission_info(body.get("PipelineSubmissionInfo")),
             "GraphDraftId": graph_draft_id, "ParentPipelineId": None, "ParentPipelineRunId": None,
             "ParentStepRunIds": None, "ParentPipelineDraftId": None, "LastSubmittedPipelineRunId": None,
             "CreatedBy": None, "LastUpdatedBy": None}
    draft.update(parents)
    return entities.save(store, workspace, PIPELINE_DRAFT, _stamped(draft, entities.new_id()))


def create(store: Store, workspace: WorkspaceKey, body: dict) -> dict:
    """A pipeline draft of a graph draft created before (`PipelineDraft.create` from a Pipeline)."""
    graph_draft_id = body.get("GraphDraftId")
    if not isinstance(graph_draft_id, str) or not graph_draft_id:
        raise BadRequest("PipelineDraftEntity.GraphDraftId is {!r}: expected the id of a graph draft "
                         "(POST GraphDrafts answers one)".format(graph_draft_id))
    return _draft(store, workspace, body.get("Name"), body, graph_draft_id)


def get(store: Store, workspace: WorkspaceKey, draft_id: str) -> dict:
    return entities.require(store, workspace, PIPELINE_DRAFT, draft_id)


def list_all(store: Store, workspace: WorkspaceKey, tag_filters: dict) -> list[dict]:
    """The workspace's drafts whose tags have each filter's value (a filter with an empty value:
    whose tags have the key)."""
    wanted = _strings(tag_filters or None, "The tag filters")
    return [draft for draft in entities.all_of(store, workspace, PIPELINE_DRAFT)
            if all(key in (draft.get("tags") or {}) and value in ("", draft["tags"][key])
                   for key, value in wanted.items())]


def save(store: Store, workspace: WorkspaceKey, draft_id: str, body: dict) -> dict:
    """The SDK sends the whole draft back with its changes (`draft.update`): name, description,
    tags, properties and submission info change; its graph draft and parents stay."""
    name = body.get("Name")
    if not isinstance(name, str) or not name.strip():
        raise BadRequest("PipelineDraftEntity.Name is {!r}: a pipeline draft needs a name".format(name))
    changes = {"Name": name, "Description": body.get("Description"), "tags": _strings(body.get("tags"), "tags"),
               "Properties": _strings(body.get("Properties"), "Properties"),
               "PipelineSubmissionInfo": _submission_info(body.get("PipelineSubmissionInfo"))}
    return entities.update(store, workspace, PIPELINE_DRAFT, draft_id,
                           lambda draft: draft.update(changes, Etag=entities.new_id()))


def delete(store: Store, workspace: WorkspaceKey, draft_id: str) -> None:
    """Delete the draft (the SDK deletes its graph draft first, with its own call)."""
    entities.remove(store, workspace, PIPELINE_DRAFT, draft_id)


def _stored(store: Store, workspace: WorkspaceKey, body: dict) -> dict:
    """The stored draft the body (a PipelineDraftEntity, as the SDK sends it) names."""
    draft_id = body.get("Id")
    if not isinstance(draft_id, str) or not draft_id:
        raise BadRequest("PipelineDraftEntity.Id is {!r}: expected the id of a pipeline draft".format(draft_id))
    return get(store, workspace, draft_id)


def _graph_and_interface(store: Store, workspace: WorkspaceKey, draft: dict) -> tuple[dict, dict]:
    graph_draft = get_graph_draft(store, workspace, draft["GraphDraftId"])
    graph = {key: graph_draft[key] for key in ("ModuleNodes", "DatasetNodes", "Edges")}
    if graph_draft.get("DefaultCompute"):
        graph["DefaultCompute"] = graph_draft["DefaultCompute"]
    return graph, graph_draft.get("EntityInterface") or {}


def submit(store: Store, workspace: WorkspaceKey, body: dict, mode: str, parent_run_id: str | None = None) -> dict:
    """A pipeline run of the draft (`draft.submit_run`): its graph draft as it is now, in its
    experiment, with its parameter values; the draft remembers the run as its last."""
    draft = _stored(store, workspace, body)
    info = draft.get("PipelineSubmissionInfo") or {}
    if not info.get("ExperimentName"):
        raise BadRequest("Pipeline draft {} has no experiment name: set one (draft.update(experiment_name=...)) "
                         "before submitting it".format(draft["Id"]))
    experiment = safe_name(info["ExperimentName"], "ExperimentName")
    graph, interface = _graph_and_interface(store, workspace, draft)
    saved = backend.save_graph(store, workspace, graph, interface)
    run = backend.new_run(store, workspace, experiment, saved, dict(
        info, Description=info.get("Description") or draft.get("Description") or draft["Name"]))
    backend.submit(store, workspace, run["Id"], mode, parent_run_id=parent_run_id)
    entities.update(store, workspace, PIPELINE_DRAFT, draft["Id"],
                    lambda stored: stored.update(LastSubmittedPipelineRunId=run["Id"]))
    return backend.get_pipeline_run(store, workspace, run["Id"])


def publish(store: Store, workspace: WorkspaceKey, body: dict) -> dict:
    """A published pipeline of the draft (`draft.publish`), under the draft's name."""
    draft = _stored(store, workspace, body)
    info = draft.get("PipelineSubmissionInfo") or {}
    graph, interface = _graph_and_interface(store, workspace, draft)
    return published.create(store, workspace, {
        "Name": draft["Name"], "Description": draft.get("Description"), "Graph": graph, "GraphInterface": interface,
        "ParameterAssignments": info.get("ParameterAssignments"), "DataPathAssignments": info.get("DataPathAssignments"),
        "DataSetDefinitionValueAssignments": info.get("DataSetDefinitionValueAssignments"),
        "ContinueRunOnStepFailure": info.get("ContinueRunOnStepFailure"), "Properties": draft.get("Properties")})


def _graph_draft_of(store: Store, workspace: WorkspaceKey, graph_id: str) -> str:
    """A new graph draft with a stored graph's nodes, edges and interface."""
    graph = backend.get_graph(store, workspace, graph_id)
    draft = create_graph_draft(store, workspace, dict(graph, EntityInterface=graph.get("_interface") or {}))
    return str(draft["Id"])


def clone_run(store: Store, workspace: WorkspaceKey, run_id: str) -> dict:
    """A draft of a pipeline run (``PipelineDrafts/ClonePipelineRun``): its graph, experiment and
    parameter values, the run and its step runs as its parents."""
    run = entities.require(store, workspace, PIPELINE_RUN, run_id)
    steps = [node["RunId"] for node in (run.get("_nodes") or {}).values() if node.get("RunId")]
    info = {"ExperimentName": run["RunHistoryExperimentName"], "Description": run.get("Description"),
            "ParameterAssignments": run.get("ParameterAssignments") or {},
            "DataSetDefinitionValueAssignments": run.get("DataSetDefinitionValueAssignments") or {},
            "ContinueRunOnStepFailure": bool(run.get("_continue"))}
    return _draft(store, workspace, run.get("Description") or run_id,
                  {"Description": run.get("Description"), "PipelineSubmissionInfo": info},
                  _graph_draft_of(store, workspace, run["GraphId"]), ParentPipelineRunId=run_id,
                  ParentStepRunIds=steps)


def clone_published(store: Store, workspace: WorkspaceKey, pipeline_id: str) -> dict:
    """A draft of a published pipeline (``PipelineDrafts/ClonePublished``): its graph, name and
    parameter values; no experiment (a published pipeline has none until it is submitted)."""
    pipeline = published.get(store, workspace, pipeline_id)
    info = {"Description": pipeline.get("Description"),
            "ParameterAssignments": pipeline.get("ParameterAssignments") or {},
            "DataSetDefinitionValueAssignments": pipeline.get("DataSetDefinitionValueAssignments") or {},
            "ContinueRunOnStepFailure": bool(pipeline.get("ContinueRunOnStepFailure"))}
    return _draft(store, workspace, pipeline["Name"], {"Description": pipeline.get("Description"),
                                                       "PipelineSubmissionInfo": info},
                  _graph_draft_of(store, workspace, pipeline["GraphId"]), ParentPipelineId=pipeline_id)


def clone_draft(store: Store, workspace: WorkspaceKey, draft_id: str) -> dict:
    """A copy of a draft (``PipelineDrafts/Clone``) with a copy of its graph draft."""
    source = get(store, workspace, draft_id)
    graph_draft = create_graph_draft(store, workspace, get_graph_draft(store, workspace, source["GraphDraftId"]))
    return _draft(store, workspace, source["Name"], source, graph_draft["Id"], ParentPipelineDraftId=draft_id)
