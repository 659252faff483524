"""Datastore records: the two each workspace is born with, those users register, and which
one is the default. Names are stored lowercased, as Azure stores them."""
from __future__ import annotations

import base64
import re
from pathlib import Path

from azureml_emulator.azure_storage import backend as blobs
from azureml_emulator.azure_storage import files_backend as files
from azureml_emulator.errors import BadRequest, EmulatorError, NotEmulated
from azureml_emulator.ids import WorkspaceKey
from azureml_emulator.store import Store
from azureml_emulator.workspaces import backend as workspaces

BLOB, FILE = "AzureBlob", "AzureFile"
DEFAULT = "workspaceblobstore"
# The built-in datastores' account key: any valid base64 does, as with Azurite's well-known key.
ACCOUNT_KEY = base64.b64encode(b"azureml_emulator local storage account key").decode()
NAME = re.compile(r"^[a-z0-9_]{1,255}$")
EXISTS = "Another datastore with the same name already exists"


class UserError(EmulatorError):
    """What the datastore service answers for a user's mistake: the SDK raises it as UserErrorException."""

    status = 400
    code = "UserError"


class DatastoreNotFound(UserError):
    status = 404


def _builtins(store: Store, workspace: WorkspaceKey) -> list[dict]:
    workspace_id = workspaces.workspace_id(store, workspace)
    account = "wsstore" + workspace_id.replace("-", "")[:16]
    section = {"accountName": account, "accountKey": ACCOUNT_KEY, "sasToken": None, "protocol": "https",
               "endpoint": "core.windows.net"}
    return [{"name": DEFAULT, "dataStoreType": BLOB,
             "azureStorageSection": {**section, "containerName": "azureml-blobstore-" + workspace_id}},
            {"name": "workspacefilestore", "dataStoreType": FILE,
             "azureStorageSection": {**section, "containerName": "azureml-filestore-" + workspace_id}}]


def _ensure_builtins(store: Store, workspace: WorkspaceKey) -> None:
    builtins = _builtins(store, workspace)
    with store.transaction() as db:
        for record in builtins:
            db.execute("INSERT OR IGNORE INTO datastores (workspace, name, payload) VALUES (?, ?, ?)",
                       (str(workspace), record["name"], store.dumps(record)))
        db.execute("INSERT OR IGNORE INTO default_datastores (workspace, name) VALUES (?, ?)",
                   (str(workspace), DEFAULT))


def get(store: Store, workspace: WorkspaceKey, name: str) -> dict:
    _ensure_builtins(store, workspace)
    rows = store.query("SELECT payload FROM datastores WHERE workspace=? AND name=?", (str(workspace), name.lower()))
    if not rows:
        raise DatastoreNotFound("Could not find datastore: {}".format(name))
    return store.loads(rows[0]["payload"])


def local_folder(store: Store, workspace: WorkspaceKey, name: str) -> Path:
    """Where the datastore's data is kept under the emulator home: its blob container's or file
    share's folder."""
    record = get(store, workspace, name)
    section = record["azureStorageSection"]
    where = (store.home, str(section["accountName"]), str(section["containerName"]))
    return files.share_root(*where) if record["dataStoreType"] == FILE else blobs.container_root(*where)


def list_all(store: Store, workspace: WorkspaceKey) -> list[dict]:
    _ensure_builtins(store, workspace)
    return [store.loads(r["payload"]) for r in store.query(
        "SELECT payload FROM datastores WHERE workspace=? ORDER BY name", (str(workspace),))]


def default(store: Store, workspace: WorkspaceKey) -> dict:
    _ensure_builtins(store, workspace)
    row = store.query("SELECT name FROM default_datastores WHERE workspace=?", (str(workspace),))[0]
    return get(store, workspace, row["name"])


def set_default(store: Store, workspace: WorkspaceKey, name: str) -> None:
    record = get(store, workspace, name)
    with store.transaction() as db:
        db.execute("UPDATE default_datastores SET name=? WHERE workspace=?", (record["name"], str(workspace)))


def register(store: Store, workspace: WorkspaceKey, body: dict, overwrite: bool) -> dict:
    """Record a blob container or file share a user registers (POST; PUT with ``overwrite``)."""
    name = str(body.get("name") or "").lower()
    if not NAME.match(name):
        raise UserError("Datastore name {!r} is invalid: it can contain only letters, digits and underscores"
                        .format(body.get("name")))
    kind = body.get("dataStoreType")
    section = body.get("azureStorageSection") or {}
    if kind not in (BLOB, FILE):
        raise NotEmulated("registering a datastore of type {} (Azure Blob containers and file shares are "
                          "emulated)".format(kind))
    if not section.get("accountName") or not section.get("containerName"):
        raise UserError("Datastore {} needs azureStorageSection.accountName and containerName".format(name))
    try:
        blobs.check_names(str(section["accountName"]), str(section["containerName"]))
    except BadRequest as error:
        raise UserError("Datastore {}: {}".format(name, error.message)) from None
    credential_type = section.get("credentialType") or "None"
    record = {"name": name, "dataStoreType": kind, "azureStorageSection": {
        "accountName": section["accountName"], "containerName": section["containerName"],
        "protocol": section.get("protocol") or "https", "endpoint": section.get("endpoint") or "core.windows.net",
        "accountKey": section.get("credential") if credential_type == "AccountKey" else None,
        "sasToken": section.get("credential") if credential_type == "Sas" else None}}
    _ensure_builtins(store, workspace)
    with store.transaction() as db:
        exists = db.execute("SELECT 1 FROM datastores WHERE workspace=? AND name=?", (str(workspace), name)).fetchone()
        if exists and not overwrite:
            raise UserError("{}: {}".format(EXISTS, name))
        db.execute("INSERT OR REPLACE INTO datastores (workspace, name, payload) VALUES (?, ?, ?)",
                   (str(workspace), name, store.dumps(record)))
    return record


def unregister(store: Store, workspace: WorkspaceKey, name: str) -> None:
    record = get(store, workspace, name)
    if record["name"] == default(store, workspace)["name"]:
        raise UserError("Datastore {} is the workspace's default: set another default first".format(name))
    with store.transaction() as db:
        db.execute("DELETE FROM datastores WHERE workspace=? AND name=?", (str(workspace), record["name"]))
