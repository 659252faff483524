"""Blobs as files: ``<home>/blobs/<account>/<container>/<blob>``.

A blob is written to a temporary name and renamed, so a half-written blob is never
visible; a blob name is a path inside its container's folder (`paths.inside`).
"""
from __future__ import annotations

import hashlib
import os
import re
import shutil
import secrets
import tempfile
from pathlib import Path
from typing import BinaryIO

from azureml_emulator import paths
from azureml_emulator.addresses import blob_base_url
from azureml_emulator.errors import BadRequest

# What a SAS token looks like here: the emulated host accepts any, as Azurite does with its
# well-known key; it only has to be present so the SDK treats the URL as a SAS URL.
SAS = "sv=2019-02-02&sr=b&sp=rcw&sig=emulated"
# Run artifacts live in this container, kept in <home>/artifacts (where the artifact
# service's own files are), so an upload through a SAS URL is an artifact at once.
ARTIFACT_ACCOUNT, ARTIFACT_CONTAINER = "workspaceartifactstore", "azureml"


# Azure's naming rules, which also keep every container inside <home>/blobs.
ACCOUNT_NAME = re.compile(r"^[a-z0-9]{3,24}$")
CONTAINER_NAME = re.compile(r"^[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){2,62}$")


def check_names(account: str, container: str) -> None:
    if not ACCOUNT_NAME.match(account or ""):
        raise BadRequest("Storage account name {!r} is invalid: expected 3 to 24 lowercase letters and digits"
                         .format(account), code="InvalidResourceName")
    if not CONTAINER_NAME.match(container or ""):
        raise BadRequest("Container name {!r} is invalid: expected 3 to 63 lowercase letters, digits and single "
                         "dashes, starting and ending with a letter or digit".format(container),
                         code="InvalidResourceName")


def container_root(home: Path, account: str, container: str) -> Path:
    check_names(account, container)
    if (account, container) == (ARTIFACT_ACCOUNT, ARTIFACT_CONTAINER):
        return Path(home) / "artifacts"
    return Path(home) / "blobs" / account / container


def refused(path: str, why: paths.Why) -> BadRequest:
    """Azure Storage's answer to a blob or file path `paths` refuses: a NUL is an invalid
    character in a resource name; any other refused path names no resource (``InvalidUri``)."""
    if why is paths.Why.NUL:
        return BadRequest("The specifed resource name contains invalid characters.", code="InvalidResourceName")
    return BadRequest("The requested URI does not represent any resource on the server.", code="InvalidUri")


def blob_path(home: Path, account: str, container: str, name: str) -> Path:
    """Where the blob ``name`` is stored (`paths.inside` its container's folder)."""
    return paths.inside(container_root(home, account, container), name, refused)


def sas_url(account: str, container: str, name: str) -> str:
    """The URL the SDK uploads ``name`` to (and reads it back from). The blob name is left
    as it is: the SDK's storage client quotes the path of the URL it is given itself, so a
    quoted name would arrive quoted twice (``a+b.txt`` stored as ``a%2Bb.txt``)."""
    return "{}/{}/{}?{}".format(blob_base_url(account), container, name, SAS)


def new_folder_name() -> str:
    return secrets.token_hex(16)


def write(home: Path, account: str, container: str, name: str, source: BinaryIO | bytes) -> int:
    """Store a blob; returns its size."""
    return store_file(blob_path(home, account, container, name), source)


def store_file(target: Path, source: BinaryIO | bytes) -> int:
    """Write ``target`` whole from bytes or a file, under a temporary name renamed at the end
    (a half-written file is never visible); returns its size."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
    try:
        with os.fdopen(fd, "wb") as out:
            if isinstance(source, bytes):
                out.write(source)
            else:
                while chunk := source.read(1 << 20):
                    out.write(chunk)
        os.replace(tmp, target)
    except BaseException:
        os.unlink(tmp)
        raise
    return target.stat().st_size


def append(home: Path, account: str, container: str, name: str, data: bytes) -> int:
    """Append Block: add ``data`` at the end of an append blob; returns its new size."""
    target = blob_path(home, account, container, name)
    with open(target, "ab") as out:
        out.write(data)
    return target.stat().st_size


def stage_block(home: Path, account: str, container: str, name: str, block_id: str, data: bytes) -> None:
    """Put Block: keep an uncommitted block of a block blob."""
    blocks = _blocks_dir(home, account, container, name)
    blocks.mkdir(parents=True, exist_ok=True)
    (blocks / _block_file(block_id)).write_bytes(data)


def commit_blocks(home: Path, account: str, container: str, name: str, block_ids: list[str]) -> int:
    """Put Block List: the blob becomes the listed blocks, in order; returns its size."""
    blocks = _blocks_dir(home, account, container, name)
    missing = [b for b in block_ids if not (blocks / _block_file(b)).is_file()]
    if missing:
        raise BadRequest("The specified block list is invalid: block {} was never uploaded".format(missing[0]),
                         code="InvalidBlockList")
    size = write(home, account, container, name,
                 b"".join((blocks / _block_file(b)).read_bytes() for b in block_ids))
    shutil.rmtree(blocks, ignore_errors=True)
    return size


def _blocks_dir(home: Path, account: str, container: str, name: str) -> Path:
    target = blob_path(home, account, container, name)
    return target.parent / (".blocks-" + target.name)


def _block_file(block_id: str) -> str:
    return hashlib.sha256(block_id.encode()).hexdigest()


def find(home: Path, account: str, container: str, name: str) -> Path | None:
    target = blob_path(home, account, container, name)
    return target if target.is_file() else None


def list_blobs(home: Path, account: str, container: str, prefix: str) -> list[tuple[str, Path]]:
    """(name, file) of every blob in the container whose name starts with ``prefix``, by name;
    uploads in progress and uncommitted blocks are not blobs yet, and a symbolic link is none."""
    root = container_root(home, account, container)
    if not root.is_dir():
        return []
    found = []
    for path in root.rglob("*"):
        name = path.relative_to(root).as_posix()
        if path.is_file() and not path.is_symlink() and name.startswith(prefix) and not any(
                part.startswith((".upload-", ".blocks-")) for part in path.relative_to(root).parts):
            found.append((name, path))
    return sorted(found)
