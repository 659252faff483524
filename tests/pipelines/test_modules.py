"""Azure ML modules (`Module`, `ModuleVersion`) and `ModuleStep`s that really run: versions,
resolution and the default version, data passed between two module steps through their ports,
params overridden, reuse, and what deprecated and disabled versions do."""
import pytest
from azureml.core.runconfig import RunConfiguration
from azureml.pipeline.core import Module, ModuleVersion, Pipeline, PipelineData, PipelineParameter
from azureml.pipeline.core.graph import InputPortDef, OutputPortDef
from azureml.pipeline.steps import ModuleStep

from helpers import job_log

WRITE = """
import argparse, os
parser = argparse.ArgumentParser()
parser.add_argument('--out')
args = parser.parse_args()
os.makedirs(args.out, exist_ok=True)
word = os.environ['AML_PARAMETER_word']
open(os.path.join(args.out, 'word.txt'), 'w').write('{}:{}'.format(VERSION, word))
print('WROTE', VERSION, word)
"""
READ = """
import argparse, os
parser = argparse.ArgumentParser()
parser.add_argument('--inp')
args = parser.parse_args()
print('READ', open(os.path.join(args.inp, 'word.txt')).read(), os.environ['AML_PARAMETER_times'])
"""


def _publish_writer(cluster, module, version, is_default=False):
    folder = cluster.work / "writer-{}".format(version)
    folder.mkdir()
    (folder / "write.py").write_text("VERSION = {!r}\n".format(version) + WRITE)
    out = OutputPortDef(name="out", default_datastore_name="workspaceblobstore", default_datastore_mode="mount")
    return module.publish_python_script("write.py", "writes a word, version " + version, inputs=[], outputs=[out],
                                        params={"word": "hello"}, version=version, is_default=is_default,
                                        source_directory=str(folder), arguments=["--out", out])


def _publish_reader(cluster, module):
    folder = cluster.work / "reader"
    folder.mkdir()
    (folder / "read.py").write_text(READ)
    inp = InputPortDef(name="inp", default_datastore_mode="mount", default_data_reference_name="workspaceblobstore")
    return module.publish_python_script("read.py", "reads the word", inputs=[inp], outputs=[],
                                        params={"times": "1"}, version="1", source_directory=str(folder),
                                        arguments=["--inp", inp])


def _config(cluster):
    config = RunConfiguration()
    config.environment = cluster.environment
    return config


def test_a_module_with_two_versions_resolves_its_default_and_highest(cluster):
    writer = Module.create(cluster.ws, "writer", "writes a word")
    first = _publish_writer(cluster, writer, "1")
    second = _publish_writer(cluster, writer, "2")
    found = Module.get(cluster.ws, name="writer")
    assert found.id == writer.id and [v.version for v in found.module_version_list()] == ["1", "2"]
    assert found.default_version is None
    assert found.resolve().module_version_id == second.module_version_id   # no default: the highest
    assert found.resolve("1").module_version_id == first.module_version_id
    found.set_default_version("1")
    again = Module.get(cluster.ws, module_id=writer.id)
    assert again.default_version == "1" and again.resolve().module_version_id == first.module_version_id
    version = ModuleVersion.get(cluster.ws, first.module_version_id)
    assert version.version == "1" and version.module_id == writer.id and version.status == "Active"
    assert version.module().name == "writer"
    version.set_description("the first")
    assert ModuleVersion.get(cluster.ws, first.module_version_id).description == "the first"
    assert [(v.version, v.module_version_id) for v in Module.get_versions(cluster.ws, "writer")] == [
        ("1", first.module_version_id), ("2", second.module_version_id)]
    again.deprecate()
    assert Module.get(cluster.ws, name="writer").status == "Deprecated"
    assert again.resolve("2").status == "Active"   # a module's state is its own, not its versions'
    with pytest.raises(Exception, match="provided version value already exist"):
        again.publish_python_script("write.py", "dup", inputs=[], outputs=[], version="1",
                                    source_directory=str(cluster.work / "writer-1"))


def test_module_steps_pass_data_through_their_ports_and_params_override(cluster):
    writer, reader = Module.create(cluster.ws, "writer", "w"), Module.create(cluster.ws, "reader", "r")
    _publish_writer(cluster, writer, "1")
    _publish_writer(cluster, writer, "2", is_default=True)
    _publish_reader(cluster, reader)
    word = PipelineData("word", datastore=cluster.ws.get_default_datastore())
    said = PipelineParameter("said", default_value="hello")
    write = ModuleStep(module=Module.get(cluster.ws, name="writer"), outputs_map={"out": word},
                       compute_target=cluster.target, runconfig=_config(cluster), params={"word": said},
                       arguments=["--out", word], name="write")
    read = ModuleStep(module=reader, version="1", inputs_map={"inp": word}, compute_target=cluster.target,
                      runconfig=_config(cluster), params={"times": "3"}, arguments=["--inp", word], name="read")
    # The default version (2) writes; the pipeline parameter's value at submit overrides its default.
    run = cluster.experiment.submit(Pipeline(cluster.ws, steps=[read, write]),
                                    pipeline_parameters={"said": "bonjour"})
    assert run.wait_for_completion(show_output=False) == "Finished"
    # The graph's node carries no name: a step run is named after its module, as the service knows it.
    assert "READ 2:bonjour 3" in job_log(run.find_step_run("reader")[0])
    assert run.find_step_run("writer")[0].get_properties()["StepType"] == "ModuleStep"


def _module_pipeline(cluster, writer, reader, word_param="bonjour", version=None):
    word = PipelineData("word", datastore=cluster.ws.get_default_datastore())
    write = ModuleStep(module=writer, version=version, outputs_map={"out": word}, compute_target=cluster.target,
                       runconfig=_config(cluster), params={"word": word_param}, arguments=["--out", word])
    read = ModuleStep(module_version=reader.resolve("1"), inputs_map={"inp": word}, compute_target=cluster.target,
                      runconfig=_config(cluster), arguments=["--inp", word])
    return Pipeline(cluster.ws, steps=[write, read])


def test_an_unchanged_module_step_is_reused_and_a_changed_param_runs_again(cluster):
    writer, reader = Module.create(cluster.ws, "writer", "w"), Module.create(cluster.ws, "reader", "r")
    _publish_writer(cluster, writer, "1")
    _publish_reader(cluster, reader)
    first = cluster.experiment.submit(_module_pipeline(cluster, writer, reader))
    assert first.wait_for_completion(show_output=False) == "Finished"
    earlier = {s.name: s.id for s in first.get_steps()}
    again = cluster.experiment.submit(_module_pipeline(cluster, writer, reader))
    assert again.wait_for_completion(show_output=False) == "Finished"
    reused = {s.name: s for s in again.get_steps()}
    assert all(s._is_reused for s in reused.values()) and {n: s.id for n, s in reused.items()} == earlier
    changed = cluster.experiment.submit(_module_pipeline(cluster, writer, reader, word_param="hola"))
    assert changed.wait_for_completion(show_output=False) == "Finished"
    rerun = {s.name: s for s in changed.get_steps()}
    assert not any(s._is_reused for s in rerun.values())   # the reader's input changed with the writer's run
    assert "READ 1:hola 1" in job_log(rerun["reader"])   # the reader's own default param, 1


def test_a_deprecated_version_runs_and_a_disabled_one_is_refused_until_enabled(cluster):
    writer, reader = Module.create(cluster.ws, "writer", "w"), Module.create(cluster.ws, "reader", "r")
    first = _publish_writer(cluster, writer, "1")
    second = _publish_writer(cluster, writer, "2")
    _publish_reader(cluster, reader)
    published = _module_pipeline(cluster, writer, reader, version="2").publish(name="writes with version 2")
    second.disable()
    assert ModuleVersion.get(cluster.ws, second.module_version_id).status == "Disabled"
    # The SDK's resolve() passes over a disabled version: the highest one left is 1.
    assert Module.get(cluster.ws, name="writer").resolve().module_version_id == first.module_version_id
    code, message = _refusal(cluster.experiment.submit, _module_pipeline(cluster, writer, reader, version="2"))
    assert code == 400 and message == (
        "Version 2 of module 'writer' ({}) is disabled: enable it, or use another version".format(
            second.module_version_id))
    assert _refusal(published.submit, cluster.ws, "tests") == (400, message)   # a published pipeline's too
    first.deprecate()
    run = cluster.experiment.submit(_module_pipeline(cluster, writer, reader, version="1"))
    assert run.wait_for_completion(show_output=False) == "Finished"
    assert "READ 1:bonjour 1" in job_log(run.find_step_run("reader")[0])
    ModuleVersion.get(cluster.ws, second.module_version_id).enable()
    writer.disable()
    assert Module.get(cluster.ws, name="writer").status == "Disabled"
    code, message = _refusal(cluster.experiment.submit, _module_pipeline(cluster, writer, reader, version="2"))
    assert code == 400 and message == "Module 'writer' ({}) is disabled: enable it to use its versions".format(
        writer.id)
    writer.enable()
    run = cluster.experiment.submit(_module_pipeline(cluster, writer, reader, version="2"))
    assert run.wait_for_completion(show_output=False) == "Finished"
    assert "READ 2:bonjour 1" in job_log(run.find_step_run("reader")[0])


def _refusal(call, *args):
    """The status and error message of the service's answer to a call the SDK raises for."""
    with pytest.raises(Exception) as raised:
        call(*args)
    return raised.value.response.status_code, raised.value.response.json()["error"]["message"]


def test_a_missing_module_or_version_and_a_taken_name_are_refused(ws):
    from uuid import uuid4
    name = "module-{}".format(uuid4().hex[:8])
    assert _refusal(lambda: Module.get(ws, name=name)) == (
        404, "AzureMLModule with name {!r} was not found in this workspace".format(name))
    assert _refusal(lambda: Module.get(ws, module_id="nope")) == (
        404, "AzureMLModule nope was not found in this workspace")
    assert _refusal(lambda: ModuleVersion.get(ws, "nope")) == (
        404, "AzureMLModuleVersion nope was not found in this workspace")
    Module.create(ws, name, "first")
    assert _refusal(lambda: Module.create(ws, name, "second")) == (
        409, "A module named {!r} already exists in this workspace".format(name))
    assert Module.get(ws, name=name).description == "first"


def test_versions_of_other_services_are_refused(ws, tmp_path):
    from uuid import uuid4
    (tmp_path / "job.usql").write_text("@a = SELECT 1;")
    module = Module.create(ws, "module-{}".format(uuid4().hex[:8]), "other services")
    # publish_adla_script and publish_azure_batch need their compute, which cannot be attached here.
    with pytest.raises(ValueError, match="(?s)error in getting adla compute: .*ComputeTargetNotFound"):
        module.publish_adla_script("job.usql", "adla", inputs=[], outputs=[], compute_target="adla",
                                   source_directory=str(tmp_path), version="1")
    with pytest.raises(ValueError, match="(?s)Error in getting AzureBatch compute: .*ComputeTargetNotFound"):
        module.publish_azure_batch("batch", compute_target="batch", inputs=[], outputs=[], executable="run.exe",
                                   source_directory=str(tmp_path), version="1")
    for execution, service in (("adlcloud", "Azure Data Lake Analytics (publish_adla_script)"),
                               ("AzureBatchCloud", "Azure Batch (publish_azure_batch)")):
        assert _refusal(lambda: module.publish("d", execution, inputs=[], outputs=[], version=execution,
                                               content_path=str(tmp_path))) == (
            501, "not emulated by azureml_emulator: module versions of execution type {} (module {!r}: they run on "
                 "{})".format(execution, module.name, service))
    assert Module.get(ws, module_id=module.id).module_version_list() == []


def test_malformed_module_requests_are_refused_saying_what_is_expected(azureml_emulator):
    from azureml_emulator.errors import BadRequest
    from azureml_emulator.ids import WorkspaceKey
    from azureml_emulator.pipelines import modules
    store, workspace = azureml_emulator.store, WorkspaceKey("s", "r", "w")
    module = modules.create(store, workspace, {"Name": "m"})
    refused = {
        "The module's Name is '': expected a non-empty string": lambda: modules.create(store, workspace, {"Name": ""}),
        "AmlModuleId is None: expected the id of the module the version belongs to":
            lambda: modules.create_version(store, workspace, {"Name": "m"}),
        "Version is 2: expected a string such as \"1\" or \"1.2\"":
            lambda: modules.create_version(store, workspace, {"AmlModuleId": module["Id"], "Version": 2}),
        "EntityStatus 'Gone' is not a status: expected one of Active, Deprecated, Disabled":
            lambda: modules.update(store, workspace, module["Id"], {"EntityStatus": "Gone"}),
        "DefaultVersion '3' is not a version of module m (it has none)":
            lambda: modules.update(store, workspace, module["Id"], {"DefaultVersion": "3"}),
        "Versions names 'other', which is not a version of module {}".format(module["Id"]):
            lambda: modules.update(store, workspace, module["Id"], {"Versions": [{"ModuleVersionId": "other"}]}),
    }
    for message, call in refused.items():
        with pytest.raises(BadRequest) as raised:
            call()
        assert raised.value.message == message
    assert modules.get(store, workspace, module["Id"]) == module   # nothing changed


CALCULATE = """
import argparse, os
parser = argparse.ArgumentParser()
parser.add_argument('--arg_num1', type=int)
parser.add_argument('--arg_num2', type=int)
parser.add_argument('--file_num1')
parser.add_argument('--output_sum')
args = parser.parse_args()
first = args.arg_num1 if args.arg_num1 is not None else int(open(args.file_num1).read())
open(args.output_sum, 'w').write(str(first + args.arg_num2))   # the output is a file, as in the sample
print('SUM', first + args.arg_num2)
"""


def test_a_module_step_s_own_arguments_are_the_command_line_of_a_version_published_without_any(cluster):
    # As Microsoft's ModuleStep sample does: the versions have no arguments; each step gives its own,
    # with a pipeline parameter, and data wired to the version's ports by the inputs and outputs maps;
    # each step writes its output as a file at the output's path, which only its parent folder precedes.
    (cluster.work / "calc").mkdir()
    (cluster.work / "calc" / "calculate.py").write_text(CALCULATE)
    module = Module.create(cluster.ws, "calc", "adds")
    store = "workspaceblobstore"
    entry = module.publish_python_script(
        "calculate.py", "initial", inputs=[], params={"initialNum": 12}, version="1", source_directory="calc",
        outputs=[OutputPortDef(name="out_sum", default_datastore_name=store, default_datastore_mode="mount")])
    module.publish_python_script(
        "calculate.py", "middle", version="2", is_default=True, source_directory="calc",
        inputs=[InputPortDef(name="in1", default_datastore_mode="mount", default_data_reference_name=store)],
        outputs=[OutputPortDef(name="out_sum", default_datastore_name=store, default_datastore_mode="mount")])
    datastore = cluster.ws.get_default_datastore()
    first_sum = PipelineData("sum_out", datastore=datastore, is_directory=False)
    end_sum = PipelineData("end_sum", datastore=datastore, is_directory=False)
    number = PipelineParameter(name="initialNum", default_value=17)
    first = ModuleStep(module_version=entry, inputs_map={}, outputs_map={"out_sum": first_sum},
                       runconfig=_config(cluster), compute_target=cluster.target,
                       arguments=["--output_sum", first_sum, "--arg_num1", number, "--arg_num2", "2"])
    end = ModuleStep(module=module, inputs_map={"in1": first_sum}, outputs_map={"out_sum": end_sum},
                     runconfig=_config(cluster), compute_target=cluster.target,
                     arguments=["--file_num1", first_sum, "--arg_num2", "3", "--output_sum", end_sum])
    run = cluster.experiment.submit(Pipeline(cluster.ws, steps=[first, end]))
    status = run.wait_for_completion(show_output=False, raise_on_error=False)
    assert status == "Finished", [step.get_details().get("error") for step in run.get_steps()]
    logs = sorted(job_log(step) for step in run.get_steps())
    assert "SUM 19" in logs[0] and "SUM 22" in logs[1]   # 17 + 2, then (17 + 2) + 3
