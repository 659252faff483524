"""Artifact service routes (`_restclient/operations/artifact_operations.py`): listing a
run's files and their download URLs (Blob Storage SAS URLs, which `azure_storage` serves); and the
same files addressed by run, as run history's artifact routes (azureml-mlflow) address them."""
from __future__ import annotations

from typing import Callable

from azureml_emulator.artifacts import backend
from azureml_emulator.errors import BadRequest, NotEmulated, NotFound
from azureml_emulator.ids import ArtifactId, data_container_id, safe_name
from azureml_emulator.rest import catalogue, paging
from azureml_emulator.rest.reply import Reply
from azureml_emulator.rest.request import Request
from azureml_emulator.rest.router import Route

ARTIFACTS = "/artifact/v2.0{workspace}/artifacts"
RESERVED = ("content", "metadata", "write", "contentinfo", "prefix", "batch")


def _artifact_dto(artifact: ArtifactId) -> dict:
    return {"artifactId": str(artifact), "origin": artifact.origin, "container": artifact.container,
            "path": artifact.path, "etag": None, "createdTime": None}


def _content_info(artifact: ArtifactId) -> dict:
    return {"contentUri": backend.content_url(artifact), "origin": artifact.origin,
            "container": artifact.container, "path": artifact.path}


def _prefix(request: Request) -> ArtifactId:
    # The SDK asks for a folder as ".../outputs/" (or "outputs//"): the same prefix as "outputs".
    # azureml-mlflow's newer client gives the path in the query instead.
    path = request.params.get("path", request.query.get("path") or "")
    return ArtifactId(request.params["origin"], request.params["container"],
                      backend.artifact_path(path.strip("/"), allow_root=True))


def list_artifacts(request: Request) -> Reply:
    if request.params["origin"] in RESERVED:   # another operation's path, not an origin
        raise NotEmulated(catalogue.describe(request.method, request.path))
    return _listing(request, _prefix(request), _artifact_dto)


def prefix_content_info(request: Request) -> Reply:
    return _listing(request, _prefix(request), _content_info)


def _listing(request: Request, prefix: ArtifactId, describe: Callable[[ArtifactId], dict]) -> Reply:
    """A page of the artifacts under ``prefix``, by path, and the ``continuationToken`` the SDK
    sends back as a query parameter (it asks no page size: the service's default)."""
    page = paging.paginate(backend.files_under(request.store.home, prefix), lambda artifact: (artifact.path,),
                           paging.DEFAULT_PAGE, request.query.get("continuationToken"))
    return Reply(200, {**paging.continuation_body(page, describe), "nextLink": None})


def content_info(request: Request) -> Reply:
    return Reply(200, _content_info(_existing(request, _prefix(request))))


def create_artifacts(request: Request) -> Reply:
    """Batch create: the SDK then uploads each file to its ``contentUri`` (Blob Storage)."""
    return _create(request, request.params["origin"], request.params["container"])


def _create(request: Request, origin: str, container: str) -> Reply:
    paths = request.json_object().get("paths")
    if not isinstance(paths, list) or not all(isinstance(p, dict) and isinstance(p.get("path"), str) for p in paths):
        raise BadRequest("'paths' must be a list of objects with a 'path'")
    created, content, errors = {}, {}, {}
    for entry in paths:
        name = entry["path"]
        artifact = ArtifactId(origin, container, backend.artifact_path(name))
        if backend.artifact_file(request.store.home, artifact).is_file():
            # An artifact is written once: Azure refuses a second one of the same path.
            errors[name] = {"error": {"code": "UserError", "message": "Resource Conflict: ArtifactId {} already "
                                      "exists.".format(artifact)}}
            continue
        created[name] = _artifact_dto(artifact)
        content[name] = _content_info(artifact)
    return Reply(200, {"artifacts": created, "artifactContentInformation": content, "errors": errors})


# The same artifacts, addressed by run (run history's artifact routes, which azureml-mlflow's
# artifact repository calls): the run's container, and the path in the query.
RUN_ARTIFACTS = "/history/v1.0{workspace}/experiments/{experiment}/runs/{run_id}/artifacts"


def _in_run(request: Request) -> ArtifactId:
    path = backend.artifact_path((request.query.get("path") or "").strip("/"), allow_root=True)
    return ArtifactId("ExperimentRun", data_container_id(safe_name(request.params["run_id"], "run id")), path)


def run_list(request: Request) -> Reply:
    return _listing(request, _in_run(request), _artifact_dto)


def run_prefix_content_info(request: Request) -> Reply:
    return _listing(request, _in_run(request), _content_info)


def _existing(request: Request, artifact: ArtifactId) -> ArtifactId:
    if backend.read_bytes(request.store.home, artifact) is None:
        raise NotFound("Artifact {} was not found".format(artifact), code="ArtifactNotFound")
    return artifact


def _existing_in_run(request: Request) -> ArtifactId:
    return _existing(request, _in_run(request))


def run_metadata(request: Request) -> Reply:
    return Reply(200, _artifact_dto(_existing_in_run(request)))


def run_content_info(request: Request) -> Reply:
    return Reply(200, _content_info(_existing_in_run(request)))


def run_artifact_uri(request: Request) -> Reply:
    return Reply(200, backend.content_url(_existing_in_run(request)))


def run_create(request: Request) -> Reply:
    return _create(request, "ExperimentRun", data_container_id(request.params["run_id"]))


ROUTES = (
    Route("GET", RUN_ARTIFACTS, run_list),
    Route("GET", RUN_ARTIFACTS + "/path", run_list),
    Route("GET", RUN_ARTIFACTS + "/metadata", run_metadata),
    Route("GET", RUN_ARTIFACTS + "/contentinfo", run_content_info),
    Route("GET", RUN_ARTIFACTS + "/prefix/contentinfo", run_prefix_content_info),
    Route("GET", RUN_ARTIFACTS + "/artifacturi", run_artifact_uri),
    Route("POST", RUN_ARTIFACTS + "/batch/metadata", run_create),
    Route("POST", ARTIFACTS + "/batch/metadata/{origin}/{container}", create_artifacts),
    Route("GET", ARTIFACTS + "/prefix/contentinfo/{origin}/{container}", prefix_content_info),
    Route("GET", ARTIFACTS + "/prefix/contentinfo/{origin}/{container}/{path:path}", prefix_content_info),
    Route("GET", ARTIFACTS + "/contentinfo/{origin}/{container}/{path:path}", content_info),
    # azureml-mlflow's client of the same service (its LocalUpload models): the path in the query.
    Route("POST", ARTIFACTS + "/{origin}/{container}/batch/metadata", create_artifacts),
    Route("GET", ARTIFACTS + "/{origin}/{container}/contentinfo", content_info),
    Route("GET", ARTIFACTS + "/{origin}/{container}/prefix/contentinfo", prefix_content_info),
    Route("GET", ARTIFACTS + "/{origin}/{container}", list_artifacts),
    Route("GET", ARTIFACTS + "/{origin}/{container}/{path:path}", list_artifacts),
)
