"""Workspaces: created on first use, each with a stable id (as Azure gives one)."""
from __future__ import annotations

import uuid

from azureml._restclient.service_context import _ServiceKeys

from azureml_emulator.addresses import EMULATOR_BASE_URL
from azureml_emulator.ids import WorkspaceKey
from azureml_emulator.store import Store

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


def service_endpoints() -> dict[str, str]:
    """Service discovery's answer: every Azure ML service the SDK knows lives at the emulator's host."""
    return {key: EMULATOR_BASE_URL for key in _ServiceKeys.get_discovery_keys()}
