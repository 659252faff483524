"""The SDK's ArtifactsClient seams: uploads land in the emulator's artifact folder, and
downloads are pointed at the emulated content endpoint (`artifacts.api`), so the SDK's
own download code and its error handling run unchanged."""
from __future__ import annotations

import os
from types import SimpleNamespace
from typing import Any, BinaryIO

from azureml_emulator.artifacts import backend
from azureml_emulator.ids import ArtifactId
from azureml_emulator.runtime.context import current


def upload_files(self: Any, paths: list, origin: str, container: str, names: list | None = None,
                 return_artifacts: bool = False, timeout_seconds: int | None = None,
                 datastore_name: str | None = None) -> list:
    names = names or [os.path.basename(p) for p in paths]
    for path, name in zip(paths, names):
        backend.store_file(current().home, ArtifactId(origin, container, name.replace(os.sep, "/")), path)
    return []


def upload_artifact_from_stream(self: Any, stream: BinaryIO, origin: str, container: str, name: str,
                                content_type: str | None = None, session: Any = None,
                                datastore_name: str | None = None) -> SimpleNamespace:
    artifact = ArtifactId(origin, container, name)
    backend.write_stream(current().home, artifact, stream)
    record = SimpleNamespace(artifact_id=str(artifact), path=name, origin=origin, container=container)
    return SimpleNamespace(artifacts={name: record}, artifact_content_information={})


def get_files_by_artifact_prefix_id(self: Any, artifact_prefix_id: str) -> list[tuple[str, str]]:
    """(path in container, download URL) of every artifact under an 'origin/container/prefix' id."""
    prefix = ArtifactId.parse(artifact_prefix_id)
    return [(artifact.path, backend.content_url(artifact)) for artifact in backend.files_under(current().home, prefix)]


def get_file_by_artifact_id(self: Any, artifact_id: str) -> tuple[str, str]:
    artifact = ArtifactId.parse(artifact_id)
    return os.path.abspath(artifact.path), backend.content_url(artifact)
