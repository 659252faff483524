"""Snapshots: the file tree the SDK sent, and where each file's bytes were uploaded.

The SDK uploads only the files that changed since the previous snapshot (its parent), so
a file of a snapshot is found in its own upload list or in one of its ancestors'.
Uploads go to the emulated Blob Storage, container `CONTAINER` of account `ACCOUNT`.
"""
from __future__ import annotations

import shutil
import tempfile
import zipfile
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from azureml_emulator import paths
from azureml_emulator.azure_storage import backend as blobs
from azureml_emulator.errors import BadRequest, NotFound
from azureml_emulator.ids import WorkspaceKey
from azureml_emulator.store import Store

ACCOUNT, CONTAINER = "workspaceartifactstore", "snapshots"


def upload_urls(file_names: list[str]) -> list[dict[str, str]]:
    """Where the SDK uploads each file of a new snapshot (the content service's getblob)."""
    folder = blobs.new_folder_name()
    return [{"fullName": name, "blobUri": blobs.sas_url(ACCOUNT, CONTAINER, folder + "/" + name)}
            for name in file_names]


def _blob_name(blob_uri: str) -> str:
    """The blob a ``BlobUri`` of `upload_urls` names (its path holds the name as it is)."""
    path = urlsplit(blob_uri).path.lstrip("/")
    container, _, name = path.partition("/")
    if container != CONTAINER or not name:
        raise BadRequest("BlobUri {!r} is not a snapshot upload URL this workspace handed out".format(blob_uri))
    return name


def _refused(name: str, why: paths.Why) -> BadRequest:
    return BadRequest("Invalid snapshot file name {!r}: it {}".format(name, why.value))


def _plain(name: object) -> str:
    """A snapshot file name as the SDK sends it: a relative path that `paths.resolve` leaves as
    it is (no ``.`` or ``..`` segment, no ``\\``, no empty part)."""
    if paths.resolve(name, _refused) != name:
        raise BadRequest("Invalid snapshot file name {!r}: expected a relative path of plain names, without '.', "
                         "'..', '\\' or empty parts".format(name))
    return str(name)


def _check_tree(node: dict, prefix: str = "") -> None:
    """Every name in the tree is one plain path segment, so no file can land outside the job."""
    for name, child in (node.get("children") or {}).items():
        _plain(prefix + str(name))
        if "/" in str(name) or not isinstance(child, dict):
            raise BadRequest("Invalid snapshot tree entry {!r}: expected one path segment".format(name))
        _check_tree(child, prefix + name + "/")


def create(store: Store, workspace: WorkspaceKey, snapshot_id: str, body: dict[str, Any]) -> None:
    """Record a snapshot; every file the SDK says it uploaded must be there."""
    tree = body.get("DirTreeNode")
    if not isinstance(tree, dict):
        raise BadRequest("DirTreeNode is missing: expected the snapshot's directory tree")
    files = {}
    _check_tree(tree)
    for node in ((body.get("FileRevisionList") or {}).get("FileNodes") or []):
        _plain(node.get("FullName"))
        name = _blob_name(node.get("BlobUri", ""))
        if blobs.find(store.home, ACCOUNT, CONTAINER, name) is None:
            raise BadRequest("File {!r} of snapshot {} was not uploaded to {}".format(
                node.get("FullName"), snapshot_id, node.get("BlobUri")))
        files[node["FullName"]] = name
    parent = body.get("ParentSnapshotId")
    if parent and get(store, workspace, parent) is None:
        parent = None   # a parent this home never saw (the SDK's cache outlived a reset): every file is listed
    payload = {"id": snapshot_id, "root": tree, "files": files, "properties": body.get("Properties") or {}}
    with store.transaction() as db:
        db.execute("INSERT OR REPLACE INTO snapshots (workspace, id, parent, payload) VALUES (?, ?, ?, ?)",
                   (str(workspace), snapshot_id, parent, store.dumps(payload)))


def get(store: Store, workspace: WorkspaceKey, snapshot_id: str) -> dict | None:
    rows = store.query("SELECT parent, payload FROM snapshots WHERE workspace=? AND id=?",
                       (str(workspace), snapshot_id))
    if not rows:
        return None
    return {**store.loads(rows[0]["payload"]), "parent": rows[0]["parent"]}


def latest(store: Store, workspace: WorkspaceKey) -> dict | None:
    rows = store.query("SELECT id FROM snapshots WHERE workspace=? ORDER BY rowid DESC LIMIT 1", (str(workspace),))
    return get(store, workspace, rows[0]["id"]) if rows else None


def _file_paths(node: dict, prefix: str = "") -> list[str]:
    found = []
    for name, child in sorted((node.get("children") or {}).items()):
        path = prefix + name
        if child.get("type") == "File":
            found.append(path)
        else:
            found += _file_paths(child, path + "/")
    return found


def materialize(store: Store, workspace: WorkspaceKey, snapshot_id: str, target: Path) -> list[str]:
    """Write the snapshot's files under ``target``; returns their relative paths."""
    snapshot = get(store, workspace, snapshot_id)
    if snapshot is None:
        raise NotFound("Snapshot {} does not exist in this workspace".format(snapshot_id), code="SnapshotNotFound")
    chain = [snapshot]
    while chain[-1].get("parent"):
        parent = get(store, workspace, chain[-1]["parent"])
        if parent is None:
            break
        chain.append(parent)
    names = _file_paths(snapshot["root"])
    for path in names:
        blob = next((s["files"][path] for s in chain if path in s["files"]), None)
        source = blobs.find(store.home, ACCOUNT, CONTAINER, blob) if blob else None
        if source is None:
            raise NotFound("File {} of snapshot {} was never uploaded".format(path, snapshot_id),
                           code="SnapshotFileNotFound")
        destination = paths.inside(target, _plain(path), _refused)
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, destination)
    return names


def zip_url(store: Store, workspace: WorkspaceKey, snapshot_id: str) -> str:
    """The snapshot's files as one zip blob (``run.restore_snapshot()`` downloads it); returns its SAS URL."""
    with tempfile.TemporaryDirectory() as scratch:
        files = Path(scratch) / "files"
        names = materialize(store, workspace, snapshot_id, files)
        archive = Path(scratch) / "snapshot.zip"
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
            for path in sorted(names):
                zipped.write(files / path, path)
        name = "snapshotzips/{}/{}.zip".format(workspace.folder_name, snapshot_id)
        with open(archive, "rb") as data:
            blobs.write(store.home, ACCOUNT, CONTAINER, name, data)
    return blobs.sas_url(ACCOUNT, CONTAINER, name)
