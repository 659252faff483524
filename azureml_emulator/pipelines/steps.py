"""What one step of a submitted graph runs: the script run definition the pipeline service
makes from the node, its module and the pipeline run's parameter values, and the step's
reuse key.

* The node's ``ModuleParameters`` give the script, compute target and framework (literal
  values, ``ValueType`` "0", or a pipeline parameter's value by name, "1"); its ``Runconfig``
  (the SDK's ``repr`` of the step's RunConfiguration) gives the environment and the rest.
* The module's structured ``Arguments`` become the command line: a literal as it is, a
  parameter's value, and an input or output as ``$AZUREML_DATAREFERENCE_<name>``, which the
  job replaces by the data's path (`data_access.references`), as Azure's data references do.
  A module version published without arguments takes its ``ModuleStep``'s own: the node's
  ``Arguments`` parameter, the words the SDK joined with commas, where a pipeline parameter is
  ``$AML_PARAMETER_<name>`` (its value) and a port is already ``$AZUREML_DATAREFERENCE_<port>``.
* An input is the datastore path of the edge's source (an upstream step's output, or a
  data source); an output (PipelineData) is ``azureml/<step run id>/<output name>`` on its
  datastore, mounted read-write, as Azure places it; an output in upload mode (``as_upload()``)
  is a local folder copied there when the step ends, as a script run's output dataset.
* A CommandStep's command (its first word, then the structured arguments) runs in a shell
  in the job (`execution.job_command`).
* An output registered as a dataset (`pipelines.registration`) is registered by the supervisor
  when the step completes.
* The reuse key: the module (its fingerprint covers the script's snapshot, the step's
  definition and ``allow_reuse``), the parameter values and run configuration, and each
  input's data (the run that wrote it, or the data source). Azure reuses a step's earlier
  run when all of that is unchanged.
"""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field

from azureml_emulator.data_access import references as data_references
from azureml_emulator.errors import EmulatorError, NotEmulated
from azureml_emulator.pipelines import registration as registrations
from azureml_emulator.pipelines import parallel

LITERAL, GRAPH_PARAMETER, CONCATENATE = "0", "1", "2"
REFERENCE = "$AZUREML_DATAREFERENCE_{}"
FAKE_PORT_PREFIX = "_run_after"   # the SDK's sequencing ports (run_after, StepSequence): no data
MODES = {"0": "none", "1": "mount", "2": "download", "3": "upload"}
DATASET_PLACEHOLDER = re.compile(r"^(?:DatasetOutputConfig|DatasetConsumptionConfig):(.+)$")
DATASET_OUTPUT_PATH = "dataset/{run-id}/{output-name}"   # an OutputFileDatasetConfig's default destination
UPLOAD_PLACEHOLDER = "DatasetOutputConfig:{}"   # an uploaded output in the arguments (`data_access.outputs`)
STRUCTURED = "USE_STRUCTURED_ARGUMENTS"   # a step's Arguments parameter when its module's arguments apply
PARAMETER_WORD = re.compile(r"\$AML_PARAMETER_(\w+)")   # a parameter in a ModuleStep's own arguments


@dataclass
class Location:
    """Where a port's data is: a datastore and a path on it."""

    datastore: str
    path: str
    data_type: str = "AnyDirectory"
    dataset: dict | None = None   # a dataset input instead: {"id": saved id, "name", "version"}

    def to_json(self) -> dict:
        return {"DataStoreName": self.datastore, "PathOnDataStore": self.path, "DataTypeId": self.data_type}


@dataclass
class StepDefinition:
    configuration: dict
    snapshot_id: str | None
    outputs: dict[str, Location]
    reuse_key: str
    step_type: str = "PythonScriptStep"
    inputs: dict[str, str] = field(default_factory=dict)   # input name -> what identifies its data
    registrations: dict[str, dict] = field(default_factory=dict)   # output -> its dataset registration


def is_sequencing(port_name: str | None) -> bool:
    return bool(port_name) and str(port_name).startswith(FAKE_PORT_PREFIX)


def _assigned(assignment: dict, parameters: dict[str, str]) -> str | None:
    kind = str(assignment.get("ValueType") or LITERAL)
    if kind in (LITERAL, "Literal"):
        return assignment.get("Value")
    if kind in (GRAPH_PARAMETER, "GraphParameterName"):
        name = assignment.get("Value")
        if name not in parameters:
            raise EmulatorError("The step's parameter {} names the pipeline parameter {!r}, which the pipeline "
                                "does not have".format(assignment.get("Name"), name), code="UserError")
        return parameters[name]
    if kind in (CONCATENATE, "Concatenate"):
        return "".join(_assigned(part, parameters) or "" for part in assignment.get("AssignmentsToConcatenate") or [])
    raise NotEmulated("parameter assignments of value type {!r} (parameter {})".format(kind, assignment.get("Name")))


def node_parameters(node: dict, module: dict, parameters: dict[str, str]) -> dict[str, str | None]:
    """The step's parameter values: the module's defaults, then the node's assignments."""
    interface = module.get("StructuredInterface") or {}
    values: dict[str, str | None] = {p["Name"]: p.get("DefaultValue") for p in interface.get("Parameters") or []}
    for assignment in node.get("ModuleParameters") or []:
        values[assignment["Name"]] = _assigned(assignment, parameters)
    return values


def _environment_variables(module: dict, values: dict[str, str | None]) -> dict[str, str]:
    """Parameters the module marks ``SetEnvironmentVariable`` (a step's ``params``), as Azure sets them."""
    found = {}
    for parameter in (module.get("StructuredInterface") or {}).get("Parameters") or []:
        if parameter.get("SetEnvironmentVariable") and values.get(parameter["Name"]) is not None:
            found[parameter.get("EnvironmentVariableOverride") or parameter["Name"]] = str(values[parameter["Name"]])
    return found


def arguments(module: dict, values: dict[str, str | None], dataset_inputs: frozenset = frozenset(),
              uploads: frozenset = frozenset()) -> list[str]:
    """The command line. A dataset input keeps its ``DatasetConsumptionConfig:<name>`` placeholder,
    and an uploaded output is ``DatasetOutputConfig:<name>``, which the job replaces by the local
    path, as for a script run's dataset inputs and output datasets."""
    interface = module.get("StructuredInterface") or {}
    own = values.get("Arguments")
    if not interface.get("Arguments") and own and own != STRUCTURED:
        return [PARAMETER_WORD.sub(lambda found: _parameter_word(found, values), word) for word in own.split(",")]
    ports = {port["Name"] for key in ("Inputs", "Outputs") for port in interface.get(key) or []} - dataset_inputs
    result = []
    for argument in interface.get("Arguments") or []:
        kind, value = argument.get("ValueType"), argument.get("Value")
        # An OutputFileDatasetConfig and its as_input() are literal placeholders naming their port.
        dataset_port = DATASET_PLACEHOLDER.match(str(value)) if kind == "Literal" else None
        port_name = dataset_port.group(1) if dataset_port else value if kind in ("Input", "Output") else None
        if port_name in uploads:
            result.append(UPLOAD_PLACEHOLDER.format(port_name))
        elif dataset_port and dataset_port.group(1) in ports:
            result.append(REFERENCE.format(dataset_port.group(1)))
        elif kind == "Literal":
            result.append("" if value is None else str(value))
        elif kind == "Parameter":
            result.append("" if values.get(value) is None else str(values[value]))
        elif kind in ("Input", "Output"):
            result.append(REFERENCE.format(value))
        else:
            raise NotEmulated("step arguments of kind {!r} ({})".format(kind, value))
    return result


def _parameter_word(found: re.Match[str], values: dict[str, str | None]) -> str:
    """A ``$AML_PARAMETER_<name>`` of a step's own arguments: the parameter's value; a name the
    step has no parameter for stays as it is."""
    value = values.get(found.group(1), found.group(0))
    return "" if value is None else str(value)


def command_line(command: str, arguments: list[str]) -> str:
    """A CommandStep's command line: the SDK sends its first word as the ``Command`` parameter and
    the rest (with its data and parameters) as the structured arguments; the job runs them
    joined with spaces in a shell (`execution.job_command`), as the SDK joins a script run's
    command list."""
    return " ".join([command, *arguments])


def upload_output(location: Location, setting: dict, port: dict) -> dict:
    """An output in upload mode, as a script run's output dataset (`data_access.outputs`): a local
    folder (``PathOnCompute`` in the working directory, else the job's own) whose files are copied
    to the output's datastore path when the step's script or command has ended."""
    overwrite = setting.get("Overwrite") if setting.get("Overwrite") is not None else port.get("Overwrite")
    return {"mechanism": "upload",
            "outputLocation": {"dataPath": {"datastoreName": location.datastore, "relativePath": location.path}},
            "additionalOptions": {"pathOnCompute": setting.get("PathOnCompute") or port.get("PathOnCompute"),
                                  "uploadOptions": {"overwrite": bool(overwrite)}}}


def _mode(value: object, default: str = "mount") -> str:
    text = str(value or default)
    return MODES.get(text, text).lower()


def define(node: dict, module: dict, parameters: dict[str, str], inputs: dict[str, tuple[Location, str]],
           step_run_id: str) -> StepDefinition:
    """The step run's definition. ``inputs``: each data input port's location, and what identifies
    the data there (the run that wrote it, or the data source), for the reuse key."""
    if module.get("StepType") not in (None, "PythonScriptStep", "CommandStep", "ModuleStep", parallel.STEP_TYPE):
        raise NotEmulated("pipeline steps of type {} (step {}): the emulator runs PythonScriptStep".format(
            module.get("StepType"), module.get("Name")))
    values = node_parameters(node, module, parameters)
    if not values.get("Script") and not values.get("Command"):
        raise EmulatorError("Step {} has no script".format(module.get("Name")), code="UserError")
    runconfig_text = node.get("Runconfig") or module.get("Runconfig") or "{}"
    try:
        configuration = json.loads(runconfig_text)
    except ValueError:
        raise EmulatorError("Step {}'s run configuration is not JSON".format(module.get("Name")),
                            code="UserError") from None
    interface = module.get("StructuredInterface") or {}
    structured_inputs = {port["Name"]: port for port in interface.get("Inputs") or []}
    input_settings = {s["Name"]: s for s in node.get("ModuleInputSettings") or []}
    output_settings = {s["Name"]: s for s in node.get("ModuleOutputSettings") or []}
    references, data = {}, {}
    for name, (location, _identity) in inputs.items():
        port, setting = structured_inputs.get(name) or {}, input_settings.get(name) or {}
        if setting.get("AdditionalTransformations"):
            raise NotEmulated("transformations of a step's dataset input (read_delimited_files, input {} of step "
                              "{})".format(name, module.get("Name")))
        if location.dataset is not None:   # a registered or saved dataset: the job's own dataset input
            data[name] = {"dataLocation": {"dataset": location.dataset, "dataPath": None, "uri": None},
                          "mechanism": _mode(setting.get("DataStoreMode") or port.get("DataStoreMode")),
                          "environmentVariableName": name, "overwrite": False, "options": {},
                          "pathOnCompute": setting.get("PathOnCompute") or port.get("PathOnCompute")}
            continue
        references[name] = {"dataStoreName": location.datastore, "pathOnDataStore": location.path,
                            "mode": _mode(setting.get("DataStoreMode") or port.get("DataStoreMode")),
                            "pathOnCompute": setting.get("PathOnCompute") or port.get("PathOnCompute"),
                            "overwrite": bool(port.get("Overwrite"))}
    outputs, registered, uploads = {}, {}, {}
    for port in interface.get("Outputs") or []:
        if is_sequencing(port["Name"]) or port.get("SkipProcessing"):
            continue
        setting = output_settings.get(port["Name"]) or {}
        mode = _mode(setting.get("DataStoreMode") or port.get("DataStoreMode"))
        if mode not in ("mount", "upload"):
            raise NotEmulated("step outputs in mode {!r} (output {} of step {}): the emulator mounts and uploads "
                              "outputs".format(mode, port["Name"], module.get("Name")))
        path = data_references.own_output(step_run_id, port["Name"])   # a PipelineData's place
        registration = registrations.requested(setting)
        if registration is not None:
            registered[port["Name"]] = registration
        if "DatasetOutputOptions" in setting:   # an OutputFileDatasetConfig
            template = (setting.get("DatasetOutputOptions") or {}).get("PathOnDatastore") or DATASET_OUTPUT_PATH
            path = template.replace("{run-id}", step_run_id).replace("{output-name}", port["Name"])
        location = Location(setting.get("DataStoreName") or port.get("DataStoreName") or "workspaceblobstore",
                            path.strip("/"), port.get("DataTypeId") or "AnyFile")
        outputs[port["Name"]] = location
        if mode == "upload":   # a local folder, copied to the location when the step ends
            uploads[port["Name"]] = upload_output(location, setting, port)
            continue
        references[port["Name"]] = {"dataStoreName": location.datastore, "pathOnDataStore": location.path,
                                    "mode": "mount", "pathOnCompute": None, "overwrite": bool(port.get("Overwrite"))}
    environment = configuration.get("environment") or {}
    environment["environmentVariables"] = dict(environment.get("environmentVariables") or {},
                                               **_environment_variables(module, values))
    words = arguments(module, values, frozenset(data), frozenset(uploads))
    if values.get("Command"):   # a CommandStep: its command runs in a shell, with no script
        configuration.update(script=None, command=command_line(str(values["Command"]), words), arguments=[])
    else:
        configuration.update(script=values["Script"], arguments=words)
    configuration.update(target=values.get("Target"), environment=environment, dataReferences=references, data=data,
                         outputData=uploads)
    snapshot_id = (module.get("DataLocation") or {}).get("StorageId")
    key = {"module": module["Id"], "parameters": {k: v for k, v in sorted(values.items())},
           "runconfig": runconfig_text, "inputs": {name: identity for name, (_l, identity) in sorted(inputs.items())}}
    reuse_key = hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()
    return StepDefinition(configuration, snapshot_id, outputs, reuse_key, module.get("StepType") or "PythonScriptStep",
                          {name: identity for name, (_l, identity) in inputs.items()}, registered)
