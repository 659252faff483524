"""The environment registry: named, versioned Environment definitions of a workspace."""
from __future__ import annotations

from typing import Any

from azureml_emulator.environments import curated
from azureml_emulator.errors import BadRequest, NotFound
from azureml_emulator.ids import WorkspaceKey
from azureml_emulator.store import Store


def no_definition(name: str, version: str | None = None) -> NotFound:
    message = "No definition exists for Environment: {}".format(name)
    if version is not None:
        message += " Version: {}".format(version)
    return NotFound(message, code="UserError")


# The keys of the SDK's PUT body, and the stored definition's (as a run definition has them).
BODY_KEYS = {"python": "python", "EnvironmentVariables": "environmentVariables", "Docker": "docker",
             "Spark": "spark", "r": "r", "InferencingStackVersion": "inferencingStackVersion"}


def register(store: Store, workspace: WorkspaceKey, name: str, body: dict[str, Any],
             version: str | None = None) -> dict:
    """Store the definition the SDK PUTs as ``version`` (see `save`); the AzureML prefix is
    Azure's own, for its curated environments."""
    if name.lower().startswith(curated.RESERVED_PREFIX):
        raise BadRequest(curated.RESERVED, code="UserError")
    return save(store, workspace, name, {field: body.get(key) for key, field in BODY_KEYS.items()}, version)


def save(store: Store, workspace: WorkspaceKey, name: str, fields: dict[str, Any],
         version: str | None = None) -> dict:
    """Store a definition (``python``, ``docker``... as a run definition has them) as ``version``;
    an existing version's definition is replaced, as the service does. Without a version, a
    definition identical to the latest numbered one is that version, else it is the next number
    (the ``Autosave_...`` versions a submit registers are not numbered, so they do not count)."""
    definition_fields = {field: fields.get(field) for field in BODY_KEYS.values()}
    with store.transaction() as db:
        rows = db.execute("SELECT version, seq, payload FROM environments WHERE workspace=? AND name=?",
                          (str(workspace), name)).fetchall()
        seq = max((row["seq"] for row in rows), default=0) + 1
        numbered = [row for row in rows if str(row["version"]).isdigit()]
        if version is None and numbered:
            newest = store.loads(max(numbered, key=lambda row: row["seq"])["payload"])
            if {field: newest.get(field) for field in BODY_KEYS.values()} == definition_fields:
                return newest
        if version is None:
            version = str(max((int(row["version"]) for row in numbered), default=0) + 1)
        definition = {"name": name, "version": str(version), **definition_fields}
        db.execute("INSERT OR REPLACE INTO environments (workspace, name, version, seq, payload) "
                   "VALUES (?, ?, ?, ?, ?)", (str(workspace), name, str(version), seq, store.dumps(definition)))
    return definition


def latest(store: Store, workspace: WorkspaceKey, name: str) -> dict | None:
    rows = store.query("SELECT payload FROM environments WHERE workspace=? AND name=? ORDER BY seq DESC LIMIT 1",
                       (str(workspace), name))
    return store.loads(rows[0]["payload"]) if rows else None


def get(store: Store, workspace: WorkspaceKey, name: str, version: str | None = None) -> dict:
    known = curated.canonical_name(name)
    if known is not None and version in (None, curated.VERSION):
        return curated.definition(known)
    if version is None:
        definition = latest(store, workspace, name)
    else:
        rows = store.query("SELECT payload FROM environments WHERE workspace=? AND name=? AND version=?",
                           (str(workspace), name, version))
        definition = store.loads(rows[0]["payload"]) if rows else None
    if definition is None:
        raise no_definition(name, version)
    return definition


def list_latest(store: Store, workspace: WorkspaceKey) -> list[dict]:
    """The latest version of every environment, by name."""
    names = [r["name"] for r in store.query(
        "SELECT DISTINCT name FROM environments WHERE workspace=? ORDER BY name", (str(workspace),))]
    found = [latest(store, workspace, name) for name in names]
    return [definition for definition in found if definition is not None] + curated.all_definitions()


def list_all(store: Store) -> list[dict]:
    """(workspace, name, version) of every registered version in the home."""
    return [dict(workspace=r["workspace"], name=r["name"], version=r["version"])
            for r in store.query("SELECT workspace, name, version FROM environments ORDER BY workspace, name, seq")]


def find_anywhere(store: Store, name: str, version: str | None = None) -> list[tuple[WorkspaceKey, dict]]:
    """(workspace, definition) of environment ``name`` (latest, or ``version``) in every workspace of the home."""
    rows = store.query("SELECT DISTINCT workspace FROM environments WHERE name=?", (name,))
    found = []
    for workspace in (WorkspaceKey.parse(r["workspace"]) for r in rows):
        try:
            found.append((workspace, get(store, workspace, name, version)))
        except NotFound:
            continue
    return found
