"""The pipeline service's drafts (``/pipelines/v1.0/.../PipelineDrafts`` and ``GraphDrafts``, the
SDK's `PipelineDraft`): create, get, list by tags, save, delete and clone drafts and their graph
drafts, submit a run of a draft (``PipelineRuns/PipelineDraftSubmit``) and publish one
(``Pipelines/PipelineDraftCreate``). The behaviour is `pipelines.drafts`'."""
from __future__ import annotations

from azureml_emulator.pipelines import drafts, entities
from azureml_emulator.rest.reply import Reply
from azureml_emulator.rest.request import Request
from azureml_emulator.rest.router import Route

PIPELINES = "/pipelines/v1.0{workspace}"


def create_graph_draft(request: Request) -> Reply:
    return Reply(200, drafts.create_graph_draft(request.store, request.workspace, request.json_object()))


def get_graph_draft(request: Request) -> Reply:
    return Reply(200, drafts.get_graph_draft(request.store, request.workspace, request.params["id"]))


def update_graph_draft(request: Request) -> Reply:
    return Reply(200, drafts.update_graph_draft(request.store, request.workspace, request.params["id"],
                                                request.json_object()))


def delete_graph_draft(request: Request) -> Reply:
    drafts.delete_graph_draft(request.store, request.workspace, request.params["id"])
    return Reply(200, b"")


def create(request: Request) -> Reply:
    return Reply(200, drafts.create(request.store, request.workspace, request.json_object()))


def get(request: Request) -> Reply:
    return Reply(200, drafts.get(request.store, request.workspace, request.params["draft_id"]))


def list_all(request: Request) -> Reply:
    """``PipelineDraft.list``: a POST whose body is the tag filters (none: every draft)."""
    return Reply(200, drafts.list_all(request.store, request.workspace, request.json_object()))


def save(request: Request) -> Reply:
    return Reply(200, drafts.save(request.store, request.workspace, request.params["draft_id"],
                                  request.json_object()))


def delete(request: Request) -> Reply:
    drafts.delete(request.store, request.workspace, request.params["draft_id"])
    return Reply(200, b"")


def clone_run(request: Request) -> Reply:
    return Reply(200, drafts.clone_run(request.store, request.workspace, request.params["run_id"]))


def clone_published(request: Request) -> Reply:
    return Reply(200, drafts.clone_published(request.store, request.workspace, request.params["pipeline_id"]))


def clone_draft(request: Request) -> Reply:
    return Reply(200, drafts.clone_draft(request.store, request.workspace, request.params["draft_id"]))


def submit(request: Request) -> Reply:
    run = drafts.submit(request.store, request.workspace, request.json_object(), request.emulator.environments,
                        parent_run_id=request.query.get("parentRunId"))
    return Reply(200, entities.public(run))


def publish(request: Request) -> Reply:
    return Reply(200, drafts.publish(request.store, request.workspace, request.json_object()))


ROUTES = (
    Route("POST", PIPELINES + "/GraphDrafts", create_graph_draft),
    Route("GET", PIPELINES + "/GraphDrafts/{id}", get_graph_draft),
    Route("PUT", PIPELINES + "/GraphDrafts/{id}", update_graph_draft),
    Route("DELETE", PIPELINES + "/GraphDrafts/{id}", delete_graph_draft),
    Route("POST", PIPELINES + "/PipelineDrafts/Create", create),
    Route("POST", PIPELINES + "/PipelineDrafts", list_all),
    Route("GET", PIPELINES + "/PipelineDrafts/ClonePipelineRun/{run_id}", clone_run),
    Route("GET", PIPELINES + "/PipelineDrafts/ClonePublished/{pipeline_id}", clone_published),
    Route("GET", PIPELINES + "/PipelineDrafts/Clone/{draft_id}", clone_draft),
    Route("GET", PIPELINES + "/PipelineDrafts/{draft_id}", get),
    Route("PUT", PIPELINES + "/PipelineDrafts/{draft_id}", save),
    Route("DELETE", PIPELINES + "/PipelineDrafts/{draft_id}", delete),
    Route("POST", PIPELINES + "/PipelineRuns/PipelineDraftSubmit", submit),
    Route("POST", PIPELINES + "/Pipelines/PipelineDraftCreate", publish),
)
