"""A step's script-run definition and reuse key, from a node and module shaped as the SDK sends them."""
import json

import pytest

from azureml_emulator.errors import EmulatorError, NotEmulated
from azureml_emulator.pipelines import steps


def module(**changes):
    found = {"Id": "module-1", "Name": "train", "StepType": "PythonScriptStep", "DataLocation": {"StorageId": "snap"},
             "StructuredInterface": {
                 "Inputs": [{"Name": "raw", "DataStoreMode": "mount"}],
                 "Outputs": [{"Name": "model", "DataTypeId": "AnyDirectory", "DataStoreName": "workspaceblobstore",
                              "DataStoreMode": "mount"},
                             {"Name": "_run_after_output", "DataTypeId": "AnyFile", "SkipProcessing": True}],
                 "Parameters": [{"Name": "Script"}, {"Name": "Target"}, {"Name": "rate", "DefaultValue": "0.1",
                                                                         "SetEnvironmentVariable": True,
                                                                         "EnvironmentVariableOverride": "AML_PARAMETER_rate"}],
                 "Arguments": [{"ValueType": "Literal", "Value": "--in"}, {"ValueType": "Input", "Value": "raw"},
                               {"ValueType": "Literal", "Value": "--out"}, {"ValueType": "Output", "Value": "model"},
                               {"ValueType": "Parameter", "Value": "rate"}]}}
    found.update(changes)
    return found


def node(*assignments):
    return {"Id": "n1", "Runconfig": json.dumps({"environment": {"name": "env"}}), "ModuleParameters": [
        {"Name": "Script", "Value": "train.py", "ValueType": "0"},
        {"Name": "Target", "Value": "cpu-cluster", "ValueType": "0"}, *assignments]}


RAW = {"raw": (steps.Location("workspaceblobstore", "azureml/earlier/raw"), "run:earlier/raw")}


def test_the_definition_resolves_arguments_parameters_inputs_and_outputs():
    definition = steps.define(node({"Name": "rate", "Value": "lr", "ValueType": "1"}), module(), {"lr": "0.5"}, RAW,
                              "step-1")
    configuration = definition.configuration
    assert configuration["script"] == "train.py" and configuration["target"] == "cpu-cluster"
    assert configuration["arguments"] == ["--in", "$AZUREML_DATAREFERENCE_raw", "--out",
                                          "$AZUREML_DATAREFERENCE_model", "0.5"]
    assert configuration["dataReferences"]["raw"]["pathOnDataStore"] == "azureml/earlier/raw"
    assert configuration["dataReferences"]["model"] == {"dataStoreName": "workspaceblobstore", "mode": "mount",
                                                        "pathOnDataStore": "azureml/step-1/model",
                                                        "pathOnCompute": None, "overwrite": False}
    assert configuration["environment"]["environmentVariables"] == {"AML_PARAMETER_rate": "0.5"}
    assert set(definition.outputs) == {"model"} and definition.snapshot_id == "snap"


def test_the_reuse_key_changes_with_a_parameter_an_input_or_the_module_and_only_then():
    def key(parameters=None, inputs=RAW, **changes):
        return steps.define(node({"Name": "rate", "Value": "lr", "ValueType": "1"}), module(**changes),
                            parameters or {"lr": "0.5"}, inputs, "step-{}".format(id(changes))).reuse_key
    assert key() == key()   # the step run's own id (its output path) is not part of it
    other_input = {"raw": (steps.Location("workspaceblobstore", "azureml/later/raw"), "run:later/raw")}
    assert len({key(), key({"lr": "0.7"}), key(inputs=other_input), key(Id="module-2")}) == 4


def test_a_missing_pipeline_parameter_and_other_step_kinds_are_refused():
    with pytest.raises(EmulatorError, match="pipeline parameter 'lr'"):
        steps.define(node({"Name": "rate", "Value": "lr", "ValueType": "1"}), module(), {}, RAW, "s")
    with pytest.raises(NotEmulated, match="KustoStep"):   # ParallelRunStep runs (test_parallel_run.py)
        steps.define(node(), module(StepType="KustoStep"), {}, RAW, "s")


def test_a_command_step_is_its_command_line_with_the_data_in_it():
    command = {"Name": "Command", "Value": "bash", "ValueType": "0"}
    configuration = steps.define(node(command, {"Name": "Script", "Value": None, "ValueType": "0"}),
                                 module(StepType="CommandStep"), {}, RAW, "s").configuration
    assert configuration["script"] is None and configuration["arguments"] == []
    assert configuration["command"] == "bash --in $AZUREML_DATAREFERENCE_raw --out $AZUREML_DATAREFERENCE_model 0.1"
