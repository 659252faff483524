"""A `HyperDriveStep` (StepType ``HyperDriveStep``): the step run is a HyperDrive sweep, run by the
emulator's sweep machinery (`sweeps.backend`, `execution.sweep_supervisor`), a child of the
pipeline run. Its definition is the sweep's config the SDK puts in the module's
``HyperDriveRunConfig`` metadata parameter; the step's arguments (with pipeline parameters'
values) are its children's. A HyperDriveStep's data inputs and outputs (``inputs``,
``outputs``, ``metrics_output``) are not emulated.
"""
from __future__ import annotations

import json

from azureml_emulator.errors import EmulatorError, NotEmulated
from azureml_emulator.pipelines import steps

STEP_TYPE = "HyperDriveStep"
CONFIG_PARAMETER = "HyperDriveRunConfig"


def is_hyperdrive(module: dict) -> bool:
    return module.get("StepType") == STEP_TYPE


def _config_text(node: dict, module: dict) -> str | None:
    for assignment in node.get("ModuleMetadataParameters") or []:
        if assignment.get("Name") == CONFIG_PARAMETER and assignment.get("Value"):
            return str(assignment["Value"])
    interface = module.get("StructuredInterface") or {}
    for parameter in interface.get("MetadataParameters") or []:
        if parameter.get("Name") == CONFIG_PARAMETER:
            return parameter.get("DefaultValue")
    return None


def sweep_config(node: dict, module: dict, parameters: dict[str, str], has_inputs: bool) -> dict:
    """The sweep's config for this step run, or an error saying why there is none."""
    interface = module.get("StructuredInterface") or {}
    outputs = [port["Name"] for port in interface.get("Outputs") or []
               if not steps.is_sequencing(port["Name"]) and not port.get("SkipProcessing")]
    if has_inputs or outputs:
        raise NotEmulated("a HyperDriveStep's data inputs and outputs (step {})".format(module.get("Name")))
    text = _config_text(node, module)
    try:
        config = json.loads(text or "")
    except ValueError:
        raise EmulatorError("Step {} has no HyperDrive configuration ({})".format(module.get("Name"),
                                                                                  CONFIG_PARAMETER),
                            code="UserError") from None
    definition = config.setdefault("platform_config", {}).setdefault("Definition", {})
    definition.setdefault("SnapshotId", (module.get("DataLocation") or {}).get("StorageId"))
    overrides = definition.setdefault("Overrides", {})
    if interface.get("Arguments"):
        overrides["arguments"] = steps.arguments(module, steps.node_parameters(node, module, parameters))
    return dict(config)
