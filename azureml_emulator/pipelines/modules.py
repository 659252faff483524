"""Azure ML modules (the SDK's `Module` and `ModuleVersion`, ``AzureMLModules`` and
``AzureMLModuleVersions`` of the pipeline service): a named module with a list of versions,
a default version and a status, and its versions, each a pipeline module of its own.

* A module (``AzureMLModule``) has a name unique in the workspace, a description, an
  ``EntityStatus`` (Active, Deprecated or Disabled), ``Versions`` (descriptors: a version's
  id and its version string) and ``DefaultVersion`` (a version string).
* A version (``AzureMLModuleVersion``: ``ModuleId``, ``Data``, ``Interface``) is stored as a
  pipeline module (`catalog.create_module`: its snapshot, structured interface and run
  configuration) with the id of its module and its version string, so a ``ModuleStep``'s
  graph node, whose ``ModuleId`` is the version's id, runs like any script step.
* A version of a step that needs another service (``publish_adla_script``: Data Lake
  Analytics, ``publish_azure_batch``: Azure Batch) is refused with the emulator's
  "not emulated" error, as their step kinds are (`step_kinds`).
* A disabled version, or any version of a disabled module, does not run: a pipeline run whose
  graph uses one is refused when it is submitted (``pipeline.submit``, a published pipeline's
  or endpoint's submit), as a disabled published pipeline refuses runs. A deprecated one runs.
  The SDK's ``Module.resolve()`` skips disabled versions itself. (Azure's own rule is not
  documented; this is the emulator's reading of the states.)
"""
from __future__ import annotations

from azureml_emulator.errors import BadRequest, Conflict, NotEmulated, NotFound
from azureml_emulator.ids import WorkspaceKey
from azureml_emulator.pipelines import catalog, entities
from azureml_emulator.pipelines.entities import MODULE
from azureml_emulator.store import Store

AML_MODULE = "azuremlmodule"
STATUSES = ("Active", "Deprecated", "Disabled")
# The SDK's numbers for the states (`AE3PServiceCaller.entity_status_from_enum` reads either).
STATUS_NUMBERS = {"0": "Active", "1": "Deprecated", "2": "Disabled"}
SCRIPT_EXECUTION = "escloud"
OTHER_SERVICES = {"adlcloud": "Azure Data Lake Analytics (publish_adla_script)",
                  "azurebatchcloud": "Azure Batch (publish_azure_batch)"}
AML_MODULE_ID, VERSION = "_AmlModuleId", "_Version"


def _status(value: object) -> str:
    text = STATUS_NUMBERS.get(str(value), str(value))
    if text not in STATUSES:
        raise BadRequest("EntityStatus {!r} is not a status: expected one of {}".format(value, ", ".join(STATUSES)))
    return text


def _name(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise BadRequest("The module's Name is {!r}: expected a non-empty string".format(value))
    return value


def _by_name(store: Store, workspace: WorkspaceKey, name: str) -> dict | None:
    return next((m for m in entities.all_of(store, workspace, AML_MODULE) if m["Name"] == name), None)


def create(store: Store, workspace: WorkspaceKey, info: dict) -> dict:
    """``Module.create``: a module without versions."""
    name = _name(info.get("Name"))
    if _by_name(store, workspace, name) is not None:
        raise Conflict("A module named {!r} already exists in this workspace".format(name),
                       code="AzureMLModuleAlreadyExists")
    module: dict = {"Name": name, "Description": info.get("Description"), "Versions": [], "DefaultVersion": None,
                    "Hash": None}
    return entities.save(store, workspace, AML_MODULE, entities.stamped(module, entities.new_id()))


def get(store: Store, workspace: WorkspaceKey, module_id: str) -> dict:
    module = entities.get(store, workspace, AML_MODULE, module_id)
    if module is None:
        raise NotFound("AzureMLModule {} was not found in this workspace".format(module_id),
                       code="AzureMLModuleNotFound")
    return module


def get_by_name(store: Store, workspace: WorkspaceKey, name: str) -> dict:
    if not name:
        raise BadRequest("Query parameter 'name' is missing: expected the module's name")
    module = _by_name(store, workspace, name)
    if module is None:
        raise NotFound("AzureMLModule with name {!r} was not found in this workspace".format(name),
                       code="AzureMLModuleNotFound")
    return module


def _descriptors(store: Store, workspace: WorkspaceKey, module_id: str, versions: object) -> list[dict]:
    """The module's version descriptors as sent: each names a version of this module."""
    if not isinstance(versions, list):
        raise BadRequest("Versions is {!r}: expected a list of {{ModuleVersionId, Version}}".format(versions))
    result = []
    for descriptor in versions:
        version_id = descriptor.get("ModuleVersionId") if isinstance(descriptor, dict) else None
        version = entities.get(store, workspace, MODULE, str(version_id)) if version_id else None
        if version is None or version.get(AML_MODULE_ID) != module_id:
            raise BadRequest("Versions names {!r}, which is not a version of module {}".format(version_id, module_id))
        result.append({"ModuleVersionId": version_id, "Version": descriptor.get("Version")})
    return result


def update(store: Store, workspace: WorkspaceKey, module_id: str, updated: dict) -> dict:
    """``update_module``: the SDK sends the whole module with its changes (name, description,
    status, default version, versions)."""
    current = get(store, workspace, module_id)
    name = _name(updated.get("Name", current["Name"]))
    if name != current["Name"] and _by_name(store, workspace, name) is not None:
        raise Conflict("A module named {!r} already exists in this workspace".format(name),
                       code="AzureMLModuleAlreadyExists")
    versions = (_descriptors(store, workspace, module_id, updated["Versions"])
                if updated.get("Versions") is not None else current["Versions"])
    default = updated.get("DefaultVersion", current.get("DefaultVersion"))
    if default is not None and default not in [v["Version"] for v in versions]:
        raise BadRequest("DefaultVersion {!r} is not a version of module {} (it has {})".format(
            default, name, ", ".join(str(v["Version"]) for v in versions) or "none"))
    status = _status(updated.get("EntityStatus") or current["EntityStatus"])

    def change(module: dict) -> None:
        module.update(Name=name, Description=updated.get("Description", module.get("Description")),
                      Versions=versions, DefaultVersion=default, EntityStatus=status, Etag=entities.new_id())
    return entities.update(store, workspace, AML_MODULE, module_id, change)


def create_version(store: Store, workspace: WorkspaceKey, info: dict) -> dict:
    """``publish_python_script`` (``Module.publish``): a version of the module, its code the snapshot
    ``StorageId``. Answers the ``AzureMLModuleVersion``."""
    if not isinstance(info.get("AmlModuleId"), str) or not info["AmlModuleId"]:
        raise BadRequest("AmlModuleId is {!r}: expected the id of the module the version belongs to".format(
            info.get("AmlModuleId")))
    module = get(store, workspace, info["AmlModuleId"])
    version = info.get("Version")
    if version is not None and not isinstance(version, str):
        raise BadRequest("Version is {!r}: expected a string such as \"1\" or \"1.2\"".format(version))
    execution = str(info.get("ModuleExecutionType") or SCRIPT_EXECUTION)
    if execution.lower() in OTHER_SERVICES:
        raise NotEmulated("module versions of execution type {} (module {!r}: they run on {})".format(
            execution, module["Name"], OTHER_SERVICES[execution.lower()]))
    if execution.lower() != SCRIPT_EXECUTION:
        raise NotEmulated("module versions of execution type {!r} (module {!r})".format(execution, module["Name"]))
    if version is not None and str(version) in [str(v["Version"]) for v in module["Versions"]]:
        raise Conflict("Version {} of module {!r} already exists".format(version, module["Name"]),
                       code="AzureMLModuleVersionAlreadyExists")
    identifier_hash = info.get("IdentifierHash")
    created = catalog.create_module(store, workspace, dict(info, IdentifierHash=None))
    created.update(IdentifierHash=identifier_hash, Hash=info.get("Hash") or identifier_hash,
                   **{AML_MODULE_ID: module["Id"], VERSION: version})
    entities.save(store, workspace, MODULE, created)   # no hash row: Modules/Hash/ finds script steps' modules only

    def add(entry: dict) -> None:
        entry["Versions"] = list(entry["Versions"]) + [{"ModuleVersionId": created["Id"], "Version": version}]
        if info.get("SetAsDefaultVersion"):
            entry["DefaultVersion"] = version
    entities.update(store, workspace, AML_MODULE, module["Id"], add)
    return answer_version(created)


def _version(store: Store, workspace: WorkspaceKey, version_id: str) -> dict:
    version = entities.get(store, workspace, MODULE, version_id)
    if version is None or AML_MODULE_ID not in version:
        raise NotFound("AzureMLModuleVersion {} was not found in this workspace".format(version_id),
                       code="AzureMLModuleVersionNotFound")
    return version


def answer_version(version: dict) -> dict:
    """The ``AzureMLModuleVersion``: the module's id, the version's module entity and its interface."""
    return {"ModuleId": version[AML_MODULE_ID], "Data": entities.public(version),
            "Interface": catalog.interface_of(version)}


def get_version(store: Store, workspace: WorkspaceKey, version_id: str) -> dict:
    return answer_version(_version(store, workspace, version_id))


def update_version(store: Store, workspace: WorkspaceKey, version_id: str, updated: dict) -> dict:
    """``ModuleVersion.set_description``, ``enable``, ``disable``, ``deprecate``: the SDK sends the
    whole version; its description and status change."""
    _version(store, workspace, version_id)
    data = updated.get("Data")
    if not isinstance(data, dict):
        raise BadRequest("The body has no Data: expected the AzureMLModuleVersion with its module entity")
    status = _status(data["EntityStatus"]) if data.get("EntityStatus") is not None else None

    def change(version: dict) -> None:
        if "Description" in data:
            version["Description"] = data["Description"]
        if status is not None:
            version["EntityStatus"] = status
        version["Etag"] = entities.new_id()
    return answer_version(entities.update(store, workspace, MODULE, version_id, change))


def refuse_disabled(store: Store, workspace: WorkspaceKey, module: dict) -> None:
    """A graph node may not use a disabled module version, or a version of a disabled module."""
    if AML_MODULE_ID not in module:
        return
    owner = entities.get(store, workspace, AML_MODULE, module[AML_MODULE_ID]) or {}
    if module.get("EntityStatus") == "Disabled":
        raise BadRequest("Version {} of module {!r} ({}) is disabled: enable it, or use another version".format(
            module.get(VERSION), owner.get("Name"), module["Id"]), code="ModuleVersionDisabled")
    if owner.get("EntityStatus") == "Disabled":
        raise BadRequest("Module {!r} ({}) is disabled: enable it to use its versions".format(
            owner.get("Name"), owner.get("Id")), code="ModuleDisabled")
