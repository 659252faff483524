"""Artifact storage: the seams where the SDK uploads and downloads file bytes.

The real SDK talks to the run-history artifact service and Azure Blob Storage.
Here an artifact is a file under ``<home>/artifacts/<origin>/<container>/<path>``,
written to a temporary name first and renamed, so a half-written file is never
visible. Downloads go through the emulated HTTP endpoint below, so the SDK's own
download code (and its error handling) runs unchanged.
"""
import os
import shutil
import tempfile
import uuid
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import quote

from azureml_emulator.runtime.context import current
from azureml_emulator.rest.reply import EMULATOR_BASE_URL, Reply, json_error
from azureml_emulator.rest.router import route

CONTENT_PREFIX = "/artifact-content/"


def artifact_file(artifact_id: str) -> Path:
    root = current().artifacts_dir.resolve()
    target = (root / artifact_id).resolve()
    if root not in target.parents:
        raise ValueError("artifact path escapes the store: {!r}".format(artifact_id))
    return target


def content_url(artifact_id: str) -> str:
    return EMULATOR_BASE_URL + CONTENT_PREFIX + quote(artifact_id)


def _write_atomically(source_stream, target: Path):
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
    try:
        with os.fdopen(fd, "wb") as out:
            shutil.copyfileobj(source_stream, out)
        os.replace(tmp, target)
    except BaseException:
        os.unlink(tmp)
        raise


def store_file(local_path, artifact_id: str):
    with open(local_path, "rb") as source:
        _write_atomically(source, artifact_file(artifact_id))


# --- ArtifactsClient seams (patched in by activation) ---------------------------------

def upload_files(self, paths, origin, container, names=None, return_artifacts=False,
                 timeout_seconds=None, datastore_name=None):
    names = names or [os.path.basename(p) for p in paths]
    for path, name in zip(paths, names):
        store_file(path, "{}/{}/{}".format(origin, container, name.replace(os.sep, "/")))
    return []


def upload_artifact_from_stream(self, stream, origin, container, name, content_type=None,
                                session=None, datastore_name=None):
    artifact_id = "{}/{}/{}".format(origin, container, name)
    _write_atomically(stream, artifact_file(artifact_id))
    artifact = SimpleNamespace(artifact_id=artifact_id, path=name, origin=origin, container=container)
    return SimpleNamespace(artifacts={name: artifact}, artifact_content_information={})


def get_files_by_artifact_prefix_id(self, artifact_prefix_id):
    return files_under_prefix(artifact_prefix_id)


def files_under_prefix(artifact_prefix_id):
    """(path in container, download URL) of every artifact under an 'origin/container/prefix' id."""
    origin, container, prefix = artifact_prefix_id.split("/", 2)
    container_dir = artifact_file("{}/{}".format(origin, container))
    found = []
    if container_dir.is_dir():
        for file in sorted(container_dir.rglob("*")):
            relative = file.relative_to(container_dir).as_posix()
            if file.is_file() and (relative == prefix or relative.startswith(prefix + "/")):
                found.append((relative, content_url("{}/{}/{}".format(origin, container, relative))))
    return found


def get_file_by_artifact_id(self, artifact_id):
    origin, container, path = artifact_id.split("/", 2)
    return os.path.abspath(path), content_url(artifact_id)


def new_container() -> str:
    return str(uuid.uuid4())[:8]


@route("GET", CONTENT_PREFIX + r"(?P<artifact_id>.+)")
def download_artifact(request, artifact_id):
    try:
        path = artifact_file(artifact_id)
    except ValueError as error:
        return json_error(400, "BadRequest", str(error))
    if not path.is_file():
        return json_error(404, "BlobNotFound", "The specified blob does not exist: {}".format(artifact_id))
    return Reply(200, path.read_bytes(), {"Content-Type": "application/octet-stream"})
