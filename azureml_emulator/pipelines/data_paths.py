"""DataPath pipeline parameters (`PipelineParameter(name, default_value=DataPath(datastore, path))`
bound to a step with `DataPathComputeBinding`): a datastore path a run may change
(``DataPathAssignments`` at submit, a published pipeline's or a schedule's, a datastore schedule's
changed blob). The graph's interface gives each one's default (``DataPathParameters``); the run
keeps the values (defaults overridden by its assignments), and the step's input is that path.
"""
from __future__ import annotations

from azureml_emulator.errors import BadRequest


def text(value: dict) -> str:
    """A DataPath as a run keeps it among its ParameterAssignments: ``datastore/path``."""
    return "{}/{}".format(value["DataStoreName"], value["RelativePath"])


def _path(value: object, name: str) -> dict[str, str]:
    """A LegacyDataPath ({DataStoreName, RelativePath}), or BadRequest saying what is wrong."""
    if isinstance(value, dict) and isinstance(value.get("LiteralValue"), dict):   # DataPathParameterList's shape
        value = value["LiteralValue"]
    if isinstance(value, str) and "/" in value.strip("/"):   # "datastore/path", as a run keeps it
        datastore, _slash, path = value.strip("/").partition("/")
        value = {"DataStoreName": datastore, "RelativePath": path}
    if not isinstance(value, dict) or not value.get("DataStoreName") or value.get("RelativePath") is None:
        raise BadRequest("DataPath parameter {} is {!r}: expected a datastore path, {{\"DataStoreName\": ..., "
                         "\"RelativePath\": ...}}".format(name, value))
    return {"DataStoreName": str(value["DataStoreName"]), "RelativePath": str(value["RelativePath"]).strip("/")}


DATASET_KEYS = ("SavedDataSetReference", "DataSetReference")


def _parameters(graph: dict) -> list[dict]:
    interface = graph.get("_interface") or {}
    return (interface.get("DataPathParameters") or []) + (interface.get("DataPathParameterList") or [])


def _is_dataset(parameter: dict) -> bool:
    """A dataset parameter (``PipelineParameter(default_value=<Dataset>)``): the SDK lists it among
    the DataPath parameters, as a DataSetPathParameter whose default is a dataset reference; its
    values come in DataSetDefinitionValueAssignments."""
    default = parameter.get("DefaultValue")
    return isinstance(default, dict) and any(default.get(key) for key in DATASET_KEYS)


def dataset_defaults(graph: dict) -> dict[str, dict]:
    """Each dataset parameter of the graph with its default (a DataSetDefinitionValue)."""
    return {parameter["Name"]: parameter["DefaultValue"] for parameter in _parameters(graph) if _is_dataset(parameter)}


def defaults(graph: dict) -> dict[str, dict | None]:
    """Each DataPath parameter of the graph with its default (None when it has none)."""
    found: dict[str, dict | None] = {}
    for parameter in _parameters(graph):
        if _is_dataset(parameter):
            continue
        default = parameter.get("DefaultValue")
        found[parameter["Name"]] = None if default is None else _path(default, parameter["Name"])
    return found


def values(graph: dict, assignments: dict | None, parameters: dict | None = None) -> dict[str, dict]:
    """A run's DataPath parameters: the graph's defaults overridden by ``assignments`` (its
    DataPathAssignments) or by a ``datastore/path`` among its ParameterAssignments (``parameters``),
    as a published pipeline or an earlier run keeps it."""
    known = defaults(graph)
    unknown = sorted(set(assignments or {}) - set(known))
    if unknown:
        raise BadRequest("DataPath parameters {} are not parameters of the pipeline (it has {})".format(
            ", ".join(unknown), ", ".join(sorted(known)) or "none"))
    result = {name: value for name, value in known.items() if value is not None}
    result.update({name: _path(value, name) for name, value in (parameters or {}).items()
                   if name in known and value not in (None, "")})
    result.update({name: _path(value, name) for name, value in (assignments or {}).items()})
    return result


def require(graph: dict, name: str) -> None:
    """BadRequest unless the graph has a DataPath parameter ``name``."""
    if name not in defaults(graph):
        raise BadRequest("{} is not a DataPath parameter of the pipeline (it has {})".format(
            name, ", ".join(sorted(defaults(graph))) or "none"))
