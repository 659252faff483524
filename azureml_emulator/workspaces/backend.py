"""Workspaces: created on first use, each with a stable id (as Azure gives one), and the
Resource Manager view of them (`ws.get_details()`, `Workspace.list`)."""
from __future__ import annotations

import sys
import uuid
from typing import Any

from azureml_emulator.addresses import EMULATOR_BASE_URL
from azureml_emulator.ids import WorkspaceKey
from azureml_emulator.store import Store
from azureml_emulator.timestamps import iso

LOCATION = "local"


def workspace_id(store: Store, workspace: WorkspaceKey) -> str:
    """The id of ``workspace``, recording the workspace the first time it is named."""
    with store.transaction() as db:
        row = db.execute("SELECT workspace_id FROM workspaces WHERE key=?", (str(workspace),)).fetchone()
        if row:
            return row["workspace_id"]
        new_id = str(uuid.uuid4())
        db.execute("INSERT INTO workspaces (key, subscription_id, resource_group, name, location, workspace_id,"
                   " created) VALUES (?, ?, ?, ?, ?, ?, strftime('%s','now'))",
                   (str(workspace), workspace.subscription_id, workspace.resource_group, workspace.name,
                    LOCATION, new_id))
        return new_id


# The services azureml-core (1.61 and 1.62) looks up in service discovery, as its
# `_ServiceKeys.get_discovery_keys()` lists them (a test keeps this the installed SDK's list).
# Known here so that a job's supervisor, whose bridge answers the job's discovery call, need not
# import the SDK's REST client package for it (a second of CPU in every job, step and trial).
DISCOVERY_KEYS = ("api", "experimentation", "history", "hyperdrive", "modelmanagement", "studio")
SDK_SERVICE_KEYS = "azureml._restclient.service_context"


def service_endpoints() -> dict[str, str]:
    """Service discovery's answer: every Azure ML service the SDK knows lives at the emulator's host
    (with the keys of the SDK already imported in this process too, should it know more)."""
    keys = set(DISCOVERY_KEYS)
    sdk = sys.modules.get(SDK_SERVICE_KEYS)
    if sdk is not None:
        keys.update(sdk._ServiceKeys.get_discovery_keys())
    return {key: EMULATOR_BASE_URL for key in sorted(keys)}


TENANT = "00000000-0000-0000-0000-00000000e4e1"   # the emulator's one tenant
PROVIDER = "Microsoft.MachineLearningServices/workspaces"


def subscriptions(store: Store) -> list[str]:
    """Every subscription a workspace of this home is in."""
    return [row["subscription_id"] for row in store.query(
        "SELECT DISTINCT subscription_id FROM workspaces ORDER BY subscription_id")]


def _records(store: Store, subscription: str, resource_group: str | None = None, name: str | None = None) -> list:
    sql, params = "SELECT * FROM workspaces WHERE lower(subscription_id)=lower(?)", [subscription]
    if resource_group is not None:
        sql, params = sql + " AND lower(resource_group)=lower(?)", params + [resource_group]
    if name is not None:
        sql, params = sql + " AND lower(name)=lower(?)", params + [name]
    return store.query(sql + " ORDER BY created", tuple(params))


def arm_resource(row: Any) -> dict:
    """A workspace as Resource Manager describes it (the fields `ws.get_details()` reads)."""
    scope = "/subscriptions/{}/resourceGroups/{}/providers/Microsoft.".format(row["subscription_id"],
                                                                               row["resource_group"])
    suffix = row["workspace_id"].replace("-", "")[:16]
    return {
        "id": scope + "MachineLearningServices/workspaces/" + row["name"], "name": row["name"], "type": PROVIDER,
        "location": row["location"], "tags": {}, "sku": {"name": "Basic", "tier": "Basic"},
        "identity": {"type": "SystemAssigned", "principalId": str(uuid.uuid5(uuid.NAMESPACE_URL, row["workspace_id"])),
                     "tenantId": TENANT},
        "properties": {
            "workspaceId": row["workspace_id"], "friendlyName": row["name"], "description": "",
            "creationTime": iso(row["created"] or 0), "provisioningState": "Succeeded", "hbiWorkspace": False,
            "storageAccount": scope + "Storage/storageAccounts/wsstore" + suffix,
            "keyVault": scope + "KeyVault/vaults/wsvault" + suffix,
            "applicationInsights": scope + "insights/components/wsinsights" + suffix,
            "containerRegistry": None, "discoveryUrl": EMULATOR_BASE_URL + "/discovery", "v1LegacyMode": False,
            "mlFlowTrackingUri": None}}


def find(store: Store, subscription: str, resource_group: str, name: str) -> dict | None:
    rows = _records(store, subscription, resource_group, name)
    return arm_resource(rows[0]) if rows else None


def list_arm(store: Store, subscription: str, resource_group: str | None = None) -> list[dict]:
    return [arm_resource(row) for row in _records(store, subscription, resource_group)]
