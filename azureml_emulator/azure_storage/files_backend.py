"""File shares as folders: ``<home>/files/<account>/<share>/<directory>/<file>``.

Azure Files has real directories, so this is a plain tree: a directory is created before
the files in it (Azure's ``ParentNotFound`` otherwise), a file is created at its full size
and then written range by range, as the SDK's file client does. Names follow the storage
account and share rules (`azure_storage.backend.check_names`); a path is a path inside its share
(`paths.inside`).
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from azureml_emulator import paths
from azureml_emulator.azure_storage.backend import check_names, refused
from azureml_emulator.errors import BadRequest, Conflict, NotFound

RESOURCE_NOT_FOUND = "The specified resource does not exist."
PARENT_NOT_FOUND = "The specified parent path does not exist."


class RangeBeyondEnd(BadRequest):
    """A range past the end of the file (Azure's 416: files do not grow by Put Range)."""

    status = 416
    code = "InvalidRange"

    def __init__(self) -> None:
        super().__init__("The range specified is invalid for the current size of the resource.")


@dataclass(frozen=True)
class Entry:
    """A file or directory of a listing."""

    name: str
    is_directory: bool
    path: Path


def share_root(home: Path, account: str, share: str) -> Path:
    check_names(account, share)
    return Path(home) / "files" / account / share


def resolve(home: Path, account: str, share: str, relative: str) -> Path:
    """Where ``relative`` (a directory or file path in the share; "" is its root) is stored:
    `paths.inside` the share's folder, slashes around it removed as Azure Files removes them."""
    return paths.inside(share_root(home, account, share), relative.strip("/"), refused, allow_root=True)


def _parent_exists(home: Path, account: str, share: str, path: Path) -> None:
    if path.parent != share_root(home, account, share).resolve() and not path.parent.is_dir():
        raise NotFound(PARENT_NOT_FOUND, code="ParentNotFound")


def directory(home: Path, account: str, share: str, relative: str) -> Path:
    """An existing directory (the share's root always exists)."""
    path = resolve(home, account, share, relative)
    if path == share_root(home, account, share).resolve():
        path.mkdir(parents=True, exist_ok=True)
    if not path.is_dir():
        raise NotFound(RESOURCE_NOT_FOUND, code="ResourceNotFound")
    return path


def create_directory(home: Path, account: str, share: str, relative: str) -> Path:
    path = resolve(home, account, share, relative)
    share_root(home, account, share).mkdir(parents=True, exist_ok=True)
    _parent_exists(home, account, share, path)
    if path.exists():
        raise Conflict("The specified resource already exists.", code="ResourceAlreadyExists")
    path.mkdir()
    return path


def file(home: Path, account: str, share: str, relative: str) -> Path:
    path = resolve(home, account, share, relative)
    if not path.is_file():
        raise NotFound(RESOURCE_NOT_FOUND, code="ResourceNotFound")
    return path


def create_file(home: Path, account: str, share: str, relative: str, size: int) -> Path:
    """Create File: a file of ``size`` zero bytes, replacing one of that name."""
    path = resolve(home, account, share, relative)
    share_root(home, account, share).mkdir(parents=True, exist_ok=True)
    _parent_exists(home, account, share, path)
    if path.is_dir():
        raise Conflict("The specified resource type does not match the type of the existing resource: {} is a "
                       "directory.".format(relative), code="ResourceTypeMismatch")
    with open(path, "wb") as created:
        created.truncate(size)
    return path


def write_range(path: Path, start: int, end: int, data: bytes) -> None:
    """Put Range: bytes ``start``..``end`` (inclusive) of an existing file become ``data``."""
    if len(data) != end - start + 1:
        raise BadRequest("The range {}-{} is {} bytes but the request body has {}".format(
            start, end, end - start + 1, len(data)), code="InvalidHeaderValue")
    if end >= path.stat().st_size:
        raise RangeBeyondEnd()
    with open(path, "r+b") as stored:
        stored.seek(start)
        stored.write(data)


def entries(folder: Path, prefix: str) -> list[Entry]:
    """The files and directories directly in ``folder`` whose names start with ``prefix``, by name."""
    return [Entry(item.name, item.is_dir(), item) for item in sorted(folder.iterdir(), key=lambda p: p.name)
            if item.name.startswith(prefix) and not item.is_symlink()]


def stamp(path: Path) -> tuple[str, float]:
    """(etag, modified time) of a stored file or directory."""
    stat = os.stat(path)
    return str(stat.st_mtime_ns), stat.st_mtime
