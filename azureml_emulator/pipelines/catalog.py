"""The pipeline service's building blocks: data types, modules (a step's code and
interface) and data sources, as the SDK creates and finds them before it submits a graph.

A module's identifier hash is the SDK's fingerprint of the step (its definition, with
``allow_reuse``, and every file of its source directory: `_ModuleBuilder.calculate_hash`); the
SDK looks a module up by it before it creates one, so an unchanged step keeps its module.
"""
from __future__ import annotations

from azureml_emulator.errors import BadRequest, Conflict, NotEmulated, NotFound
from azureml_emulator.ids import WorkspaceKey
from azureml_emulator.pipelines import entities, step_kinds
from azureml_emulator.pipelines.entities import DATASOURCE, DATATYPE, MODULE
from azureml_emulator.snapshots import backend as snapshots
from azureml_emulator.store import Store

# The data types every workspace's pipeline service has (the SDK creates them when missing).
BUILT_IN_FILE_TYPES = ("AnyFile", "AzureBlobReference", "AzureDataLakeReference", "AzureFilesReference",
                       "AzureSqlDatabaseReference", "AzurePostgresDatabaseReference", "AzureDataLakeGen2Reference",
                       "AzureMLDataset", "AzureMySqlDatabaseReference", "DBFSReference")
BUILT_IN_DIRECTORY_TYPES = ("AnyDirectory",)
UPLOAD_COMPLETED = "Completed"


def _datatype(info: dict) -> dict:
    return entities.stamped({"Name": info.get("Name") or info["Id"], "Description": info.get("Description"),
                             "IsDirectory": bool(info.get("IsDirectory")),
                             "ParentDataTypeIds": list(info.get("ParentDataTypeIds") or [])}, info["Id"])


def data_types(store: Store, workspace: WorkspaceKey) -> list[dict]:
    """The workspace's data types, the built-in ones first (recorded on first use)."""
    found = entities.all_of(store, workspace, DATATYPE)
    if not found:
        for name in BUILT_IN_FILE_TYPES + BUILT_IN_DIRECTORY_TYPES:
            entities.save(store, workspace, DATATYPE, _datatype(
                {"Id": name, "Description": name, "IsDirectory": name in BUILT_IN_DIRECTORY_TYPES}))
        found = entities.all_of(store, workspace, DATATYPE)
    return found


def create_data_type(store: Store, workspace: WorkspaceKey, info: dict) -> dict:
    if not info.get("Id"):
        raise BadRequest("DataTypeCreationInfo.Id is missing: expected the new data type's id")
    existing = {datatype["Id"] for datatype in data_types(store, workspace)}
    if info["Id"] in existing:
        raise Conflict("DataType {} already exists".format(info["Id"]), code="DataTypeAlreadyExists")
    unknown = [parent for parent in info.get("ParentDataTypeIds") or [] if parent not in existing]
    if unknown:
        raise BadRequest("Parent data types {} do not exist".format(", ".join(unknown)))
    return entities.save(store, workspace, DATATYPE, _datatype(info))


def update_data_type(store: Store, workspace: WorkspaceKey, datatype_id: str, updated: dict) -> dict:
    def change(entity: dict) -> None:
        entity["Description"] = updated.get("Description", entity.get("Description"))
        entity["ParentDataTypeIds"] = list(updated.get("ParentDataTypeIds") or entity.get("ParentDataTypeIds") or [])
    data_types(store, workspace)
    return entities.update(store, workspace, DATATYPE, datatype_id, change)


def create_module(store: Store, workspace: WorkspaceKey, info: dict) -> dict:
    """A module from the SDK's ModuleCreationInfo; its code is the snapshot ``StorageId``."""
    interface = info.get("StructuredInterface")
    if not info.get("Name") or not isinstance(interface, dict):
        raise BadRequest("ModuleCreationInfo needs a Name and a StructuredInterface")
    step_kinds.refuse_other_services(info)
    storage_id = info.get("StorageId")
    if storage_id and snapshots.get(store, workspace, storage_id) is None:
        raise BadRequest("Snapshot {!r} (the module's StorageId) does not exist in this workspace"
                         .format(storage_id), code="SnapshotNotFound")
    known = {datatype["Id"] for datatype in data_types(store, workspace)}
    for port in interface.get("Inputs") or []:
        for datatype in port.get("DataTypeIdsList") or []:
            if datatype not in known:
                raise BadRequest("DataType {} of input {} does not exist".format(datatype, port.get("Name")))
    for port in interface.get("Outputs") or []:
        if port.get("DataTypeId") not in known:
            raise BadRequest("DataType {} of output {} does not exist".format(port.get("DataTypeId"),
                                                                              port.get("Name")))
    module = {key: info.get(key) for key in ("Name", "Description", "IsDeterministic", "ModuleExecutionType",
                                             "ModuleType", "IdentifierHash", "StructuredInterface", "Runconfig",
                                             "StepType", "Category", "Properties")}
    module.update(Hash=info.get("Hash") or info.get("IdentifierHash"), UploadState=UPLOAD_COMPLETED,
                  tags=info.get("KvTags") or {},
                  CloudSettings=None if info.get("CloudSettings") is None else str(info.get("CloudSettings")),
                  DataLocation={"StorageType": "Snapshot", "StorageId": storage_id} if storage_id else None,
                  CreatedBy={"UserObjectId": "emulated-user", "UserTenantId": "emulated-tenant",
                             "UserName": "emulated-user"})
    entities.stamped(module, entities.new_id())
    return entities.save(store, workspace, MODULE, module, info.get("IdentifierHash"))


def interface_of(module: dict) -> dict:
    """The module's EntityInterface: its parameters and ports, as ``Modules/{id}`` answers them."""
    structured = module.get("StructuredInterface") or {}

    def parameters(key: str) -> list[dict]:
        return [{"Name": p.get("Name"), "DefaultValue": p.get("DefaultValue"), "IsOptional": p.get("IsOptional"),
                 "Type": p.get("ParameterType") or "String", "Documentation": p.get("Description")}
                for p in structured.get(key) or []]
    return {"Parameters": parameters("Parameters"), "MetadataParameters": parameters("MetadataParameters"),
            "Ports": {"Inputs": [{"Name": port.get("Name"), "DataTypesIds": port.get("DataTypeIdsList") or [],
                                  "IsOptional": port.get("IsOptional"), "Documentation": port.get("Description")}
                                 for port in structured.get("Inputs") or []],
                      "Outputs": [{"Name": port.get("Name"), "DataTypeId": port.get("DataTypeId"),
                                   "Documentation": port.get("Description")}
                                  for port in structured.get("Outputs") or []]},
            "DataPathParameters": [], "DataPathParameterList": []}


def module_info(module: dict) -> dict:
    """``Module``: the entity and its interface."""
    return {"Data": module, "Interface": interface_of(module)}


def get_module(store: Store, workspace: WorkspaceKey, module_id: str) -> dict:
    return entities.require(store, workspace, MODULE, module_id)


def module_by_hash(store: Store, workspace: WorkspaceKey, identifier_hash: str) -> dict:
    return _by_hash(store, workspace, MODULE, "Module", identifier_hash)


def _by_hash(store: Store, workspace: WorkspaceKey, kind: str, what: str, identifier_hash: str) -> dict:
    """The entity of ``kind`` with this identifier hash; the service's NotFound naming ``what`` if none."""
    found = entities.by_hash(store, workspace, kind, identifier_hash)
    if found is None:
        raise NotFound("No {} has the identifier hash {}".format(what, identifier_hash),
                       code="{}NotFound".format(what))
    return found


def create_data_source(store: Store, workspace: WorkspaceKey, info: dict) -> dict:
    """A data source (a datastore path a graph reads) from the SDK's DataSourceCreationInfo."""
    if not info.get("DataStoreName"):
        raise NotEmulated("data sources other than a datastore path (SQL tables, queries, stored procedures): "
                          "{}".format(info.get("Name")))
    reference = {"Type": "AzureBlob", "AzureBlobReference": {
        "RelativePath": info.get("PathOnDataStore"), "AmlDataStoreName": info["DataStoreName"]}}
    source = {"Name": info.get("Name"), "Description": info.get("Description"), "DataTypeId": info.get("DataTypeId"),
              "IdentifierHash": info.get("IdentifierHash"), "Hash": info.get("ContentHash"),
              "UploadState": UPLOAD_COMPLETED,
              "DataLocation": {"StorageType": "AzureBlob", "DataReference": reference}}
    entities.stamped(source, entities.new_id())
    return entities.save(store, workspace, DATASOURCE, source, info.get("IdentifierHash"))


def get_data_source(store: Store, workspace: WorkspaceKey, source_id: str) -> dict:
    return entities.require(store, workspace, DATASOURCE, source_id)


def data_source_by_hash(store: Store, workspace: WorkspaceKey, identifier_hash: str) -> dict:
    return _by_hash(store, workspace, DATASOURCE, "DataSource", identifier_hash)
