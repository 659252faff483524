"""MLflow's model registry REST API (``/mlflow/v2.0<workspace>/api/2.0/mlflow/registered-models``
and ``/model-versions``), which azureml-mlflow's registry store calls for `mlflow.register_model`,
`MlflowClient`'s registry methods and loading ``models:/<name>/<version or stage>``. Aliases,
renaming and deleting a whole registered model (which Azure ML does not support) are not
emulated and answer so."""
from __future__ import annotations

from azureml_emulator.rest import paging
from azureml_emulator.rest.reply import Reply
from azureml_emulator.rest.request import Request
from azureml_emulator.rest.router import Route
from azureml_emulator.tracking import registry
from azureml_emulator.tracking.api import MLFLOW, mlflow_errors
from azureml_emulator.tracking.backend import MlflowError


def _max_results(request: Request) -> int:
    value = request.query.get("max_results") or "1000"
    if not value.isdigit() or int(value) < 1:
        raise MlflowError(400, "INVALID_PARAMETER_VALUE", "max_results is {!r}: expected a positive whole number"
                          .format(value))
    return int(value)


def _mlflow_page(field: str, page: paging.Page) -> dict:
    """MLflow's page: the items under ``field``, and ``next_page_token`` unless it is the last."""
    return {field: page.items, **({"next_page_token": page.token} if page.token else {})}


@mlflow_errors
def create_registered_model(request: Request) -> Reply:
    return Reply(200, {"registered_model": registry.create_registered_model(
        request.store, request.workspace, request.json_object())})


@mlflow_errors
def get_registered_model(request: Request) -> Reply:
    return Reply(200, {"registered_model": registry.get_registered_model(
        request.store, request.workspace, request.query.get("name") or "")})


@mlflow_errors
def search_registered_models(request: Request) -> Reply:
    """A page of the registered models by name: ``max_results`` of them, and ``next_page_token``,
    which MlflowClient gives back as ``page_token``."""
    found = registry.search_registered_models(request.store, request.workspace, request.query.get("filter"))
    page = paging.paginate(found, lambda model: (model["name"],), _max_results(request),
                           request.query.get("page_token"))
    return Reply(200, _mlflow_page("registered_models", page))


@mlflow_errors
def update_registered_model(request: Request) -> Reply:
    return Reply(200, {"registered_model": registry.update_registered_model(
        request.store, request.workspace, request.json_object())})


@mlflow_errors
def latest_versions(request: Request) -> Reply:
    if request.method == "POST":
        body = request.json_object()
        name, stages = body.get("name"), body.get("stages")
    else:
        name, stages = request.query.get("name"), request.query.get("stages")
        stages = [stages] if stages else None
    return Reply(200, {"model_versions": registry.latest_versions(request.store, request.workspace,
                                                                  str(name or ""), stages)})


@mlflow_errors
def create_model_version(request: Request) -> Reply:
    return Reply(200, {"model_version": registry.create_model_version(
        request.store, request.workspace, request.json_object())})


def _version(request: Request) -> dict:
    return registry.get_model_version(request.store, request.workspace, request.query.get("name") or "",
                                      request.query.get("version") or "")


@mlflow_errors
def get_model_version(request: Request) -> Reply:
    return Reply(200, {"model_version": registry.version_dto(request.store, request.workspace, _version(request))})


@mlflow_errors
def download_uri(request: Request) -> Reply:
    dto = registry.version_dto(request.store, request.workspace, _version(request))
    return Reply(200, {"artifact_uri": dto["source"]})


@mlflow_errors
def search_model_versions(request: Request) -> Reply:
    """A page of the model versions by name, newest version first, as `search_registered_models` pages."""
    found = registry.search_model_versions(request.store, request.workspace, request.query.get("filter"))
    page = paging.paginate(found, lambda version: (version["name"], -int(version["version"])), _max_results(request),
                           request.query.get("page_token"))
    return Reply(200, _mlflow_page("model_versions", page))


@mlflow_errors
def update_model_version(request: Request) -> Reply:
    return Reply(200, {"model_version": registry.update_model_version(
        request.store, request.workspace, request.json_object())})


@mlflow_errors
def set_version_tag(request: Request) -> Reply:
    registry.set_version_tag(request.store, request.workspace, request.json_object())
    return Reply(200, {})


@mlflow_errors
def transition_stage(request: Request) -> Reply:
    return Reply(200, {"model_version": registry.transition_stage(request.store, request.workspace,
                                                                  request.json_object())})


@mlflow_errors
def delete_version_tag(request: Request) -> Reply:
    registry.delete_version_tag(request.store, request.workspace, request.json_object())
    return Reply(200, {})


@mlflow_errors
def delete_version(request: Request) -> Reply:
    registry.delete_model_version(request.store, request.workspace, request.json_object())
    return Reply(200, {})


REGISTERED, VERSIONS = MLFLOW + "/registered-models", MLFLOW + "/model-versions"
ROUTES = (
    Route("POST", REGISTERED + "/create", create_registered_model),
    Route("GET", REGISTERED + "/get", get_registered_model),
    Route("GET", REGISTERED + "/search", search_registered_models),
    Route("PATCH", REGISTERED + "/update", update_registered_model),
    Route("POST", REGISTERED + "/get-latest-versions", latest_versions),
    Route("GET", REGISTERED + "/get-latest-versions", latest_versions),
    Route("POST", VERSIONS + "/create", create_model_version),
    Route("GET", VERSIONS + "/get", get_model_version),
    Route("GET", VERSIONS + "/get-download-uri", download_uri),
    Route("GET", VERSIONS + "/search", search_model_versions),
    Route("PATCH", VERSIONS + "/update", update_model_version),
    Route("POST", VERSIONS + "/set-tag", set_version_tag),
    Route("DELETE", VERSIONS + "/delete-tag", delete_version_tag),
    Route("POST", VERSIONS + "/transition-stage", transition_stage),
    Route("DELETE", VERSIONS + "/delete", delete_version),
)
