"""The pipeline service's schedules (``/pipelines/v1.0/.../Schedules`` and
``PipelineRuns/Schedule/{id}``; the SDK's `Schedule`): create, get, list (all, by published
pipeline, by pipeline endpoint), update (enable, disable and changes), and the runs a schedule
submitted. Creating or enabling a schedule starts the home's scheduler (`pipelines.scheduler`)."""
from __future__ import annotations

from azureml_emulator.pipelines import entities, scheduler, schedules
from azureml_emulator.rest.reply import Reply
from azureml_emulator.rest.request import Request
from azureml_emulator.rest.router import Route

PIPELINES = "/pipelines/v1.0{workspace}"


def create(request: Request) -> Reply:
    schedule = schedules.create(request.store, request.workspace, request.json_object(),
                                request.emulator.environments)
    scheduler.ensure_running(request.store)
    return Reply(200, entities.public(schedule))


def get(request: Request) -> Reply:
    return Reply(200, entities.public(schedules.get(request.store, request.workspace, request.params["schedule_id"])))


def list_all(request: Request) -> Reply:
    active_only = request.query.get("activeOnly", "true").lower() != "false"
    return Reply(200, [entities.public(s) for s in schedules.list_all(request.store, request.workspace, active_only)])


def of_pipeline(request: Request) -> Reply:
    return Reply(200, [entities.public(s) for s in schedules.of_pipeline(request.store, request.workspace,
                                                                          request.params["pipeline_id"])])


def of_endpoint(request: Request) -> Reply:
    return Reply(200, [entities.public(s) for s in schedules.of_endpoint(request.store, request.workspace,
                                                                          request.params["endpoint_id"])])


def update(request: Request) -> Reply:
    schedule = schedules.update(request.store, request.workspace, request.params["schedule_id"],
                                request.json_object())
    scheduler.ensure_running(request.store)
    return Reply(200, entities.public(schedule))


def runs(request: Request) -> Reply:
    return Reply(200, [entities.public(r) for r in schedules.runs(request.store, request.workspace,
                                                       request.params["schedule_id"])])


def last_run(request: Request) -> Reply:
    """The latest run, or 204 with no body when the schedule has not fired yet (the SDK's client takes both)."""
    found = schedules.last_run(request.store, request.workspace, request.params["schedule_id"])
    return Reply(200, entities.public(found)) if found is not None else Reply(204, b"")


ROUTES = (
    Route("POST", PIPELINES + "/Schedules/Create", create),
    Route("GET", PIPELINES + "/Schedules", list_all),
    Route("GET", PIPELINES + "/Schedules/Pipeline/{pipeline_id}", of_pipeline),
    Route("GET", PIPELINES + "/Schedules/PipelineEndpoint/{endpoint_id}", of_endpoint),
    Route("GET", PIPELINES + "/Schedules/{schedule_id}", get),
    Route("PUT", PIPELINES + "/Schedules/{schedule_id}", update),
    Route("GET", PIPELINES + "/PipelineRuns/Schedule/{schedule_id}", runs),
    Route("GET", PIPELINES + "/PipelineRuns/Schedule/{schedule_id}/Last", last_run),
)
