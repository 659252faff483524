"""The artifact content endpoint: the URL the SDK downloads an artifact's bytes from."""
from __future__ import annotations

from azureml_emulator.artifacts import backend
from azureml_emulator.errors import NotFound
from azureml_emulator.ids import ArtifactId
from azureml_emulator.rest.reply import Reply
from azureml_emulator.rest.request import Request
from azureml_emulator.rest.router import Route


def download_artifact(request: Request) -> Reply:
    artifact = ArtifactId.parse(request.params["artifact_id"])
    content = backend.read_bytes(request.store.home, artifact)
    if content is None:
        raise NotFound("The specified blob does not exist: {}".format(artifact), code="BlobNotFound")
    return Reply(200, content, {"Content-Type": "application/octet-stream"})


ROUTES = (
    Route("GET", backend.CONTENT_PREFIX + "{artifact_id:path}", download_artifact),
)
