"""Dataset service routes (`azureml/data/_dataset_rest_helper.py`, `data/_restclient`):
register with versions, look up by name or id, save an unregistered definition, and the
data-version call through which the SDK reads a definition's MLTable YAML back."""
from __future__ import annotations

from azureml_emulator.datasets import backend
from azureml_emulator.errors import found
from azureml_emulator.rest import paging
from azureml_emulator.rest.reply import Reply
from azureml_emulator.rest.request import Request
from azureml_emulator.rest.router import Route

DATASETS = "/dataset/v1.0{workspace}"


def _flag(request: Request, name: str) -> bool:
    return request.query.get(name, "false").lower() == "true"


def register(request: Request) -> Reply:
    return Reply(200, backend.register(request.store, request.workspace, request.json_object(),
                                       _flag(request, "ifExistsOk"), _flag(request, "updateDefinitionIfExists")))


def get_by_name(request: Request) -> Reply:
    version = request.query.get("versionId")
    dto = backend.dto_by_name(request.store, request.workspace, request.params["name"],
                              int(version) if version and version.isdigit() else None)
    return Reply(200, found(dto, "Dataset " + request.params["name"], "DatasetNotFound"))


def query_by_saved_id(request: Request) -> Reply:
    dto = backend.dto_by_saved_id(request.store, request.workspace, request.params["saved_id"])
    return Reply(200, {"value": [dto] if dto else [], "continuationToken": None})


def list_datasets(request: Request) -> Reply:
    """A page of the registered datasets (their latest versions) by name: ``pageSize`` of them
    (Dataset.get_all asks 100), and the ``continuationToken`` it sends back as a query parameter."""
    size = paging.page_size(request.query.get("pageSize"), paging.DEFAULT_PAGE)
    page = paging.paginate(backend.latest_versions(request.store, request.workspace), lambda pair: (pair[0],),
                           size, request.query.get("continuationToken"))
    return Reply(200, paging.continuation_body(
        page, lambda pair: backend.dto_by_name(request.store, request.workspace, pair[0], pair[1])))


def save(request: Request) -> Reply:
    return Reply(200, backend.ensure_saved(request.store, request.workspace, request.json_object()))


def get_saved(request: Request) -> Reply:
    saved = backend.saved(request.store, request.workspace, request.params["saved_id"])
    return Reply(200, found(saved, "Saved dataset " + request.params["saved_id"], "DatasetNotFound"))


def data_version(request: Request) -> Reply:
    name = request.params["name"]
    saved = backend.saved(request.store, request.workspace, name[len("unregistered-"):]) \
        if name.startswith("unregistered-") else None
    saved = found(saved, "Data version {}:{}".format(name, request.params["version"]), "DataVersionNotFound")
    return Reply(200, {"legacyDataflow": backend.rslex_yaml(saved["dataflowJson"]),
                       "dataVersion": {"dataType": saved["datasetType"]}})


ROUTES = (
    Route("POST", DATASETS + "/datasets", register),
    Route("GET", DATASETS + "/datasets", list_datasets),
    Route("GET", DATASETS + "/datasets/query/name={name}", get_by_name),
    Route("GET", DATASETS + "/datasets/query/savedDatasetId={saved_id}", query_by_saved_id),
    Route("POST", DATASETS + "/saveddatasets", save),
    Route("GET", DATASETS + "/saveddatasets/{saved_id}", get_saved),
    Route("GET", "/data/v1.0{workspace}/dataversion/{name}/versions/{version}", data_version),
)
