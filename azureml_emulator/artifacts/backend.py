"""Artifact storage: an artifact is a file under ``<home>/artifacts/<origin>/<container>/<path>``.

The real SDK talks to the run-history artifact service and Azure Blob Storage. Here a
file is written to a temporary name first and renamed, so a half-written file is never
visible, and an artifact's path is a path inside its container's folder (`paths.inside`).
"""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import BinaryIO

from azureml_emulator import paths
from azureml_emulator.azure_storage import backend as blobs
from azureml_emulator.errors import BadRequest
from azureml_emulator.ids import ArtifactId


def artifacts_dir(home: Path) -> Path:
    return Path(home) / "artifacts"


def refused(path: str, why: paths.Why) -> BadRequest:
    """The artifact service's 400 for an artifact path `paths` refuses."""
    return BadRequest("Artifact path {!r} {}".format(path, why.value), code="UserError")


def artifact_path(path: str, allow_root: bool = False) -> str:
    """The path the artifact service keeps for a path a client gives (`paths.resolve`): the SDK
    sends outputs as './outputs/...', and ``outputs/../x`` is ``x``."""
    return paths.resolve(path, refused, allow_root)


def artifact_file(home: Path, artifact: ArtifactId) -> Path:
    """Where ``artifact`` lives: `paths.inside` its container's folder (its path "" is the folder)."""
    return paths.inside(artifacts_dir(home) / artifact.origin / artifact.container, artifact.path, refused,
                        allow_root=True)


def content_url(artifact: ArtifactId) -> str:
    """The SAS URL an artifact is read from, as Azure's artifact service hands out: the
    artifact store's blob (in Blob Storage's emulated host, kept in ``<home>/artifacts``)."""
    return blobs.sas_url(blobs.ARTIFACT_ACCOUNT, blobs.ARTIFACT_CONTAINER, str(artifact))


def write_stream(home: Path, artifact: ArtifactId, source: BinaryIO) -> None:
    target = artifact_file(home, artifact)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
    try:
        with os.fdopen(fd, "wb") as out:
            shutil.copyfileobj(source, out)
        os.replace(tmp, target)
    except BaseException:
        os.unlink(tmp)
        raise


def store_file(home: Path, artifact: ArtifactId, local_path: str | Path) -> None:
    with open(local_path, "rb") as source:
        write_stream(home, artifact, source)


def files_under(home: Path, prefix: ArtifactId) -> list[ArtifactId]:
    """Every artifact whose path is ``prefix.path`` or lies under it, sorted."""
    container_dir = artifact_file(home, prefix.container_id)
    found = []
    if container_dir.is_dir():
        for file in sorted(container_dir.rglob("*")):
            relative = file.relative_to(container_dir).as_posix()
            if file.is_file() and not file.is_symlink() and not file.name.startswith(".upload-") and (
                    not prefix.path or relative == prefix.path or relative.startswith(prefix.path + "/")):
                found.append(prefix.child(relative))
    return found


def read_bytes(home: Path, artifact: ArtifactId) -> bytes | None:
    """The artifact's bytes, or None when there is no such artifact."""
    path = artifact_file(home, artifact)
    return path.read_bytes() if path.is_file() else None
