"""Azure ML modules (`Module`, `ModuleVersion`) and `ModuleStep`s that really run: versions,
resolution and the default version, data passed between two module steps through their ports,
params overridden, reuse, and what deprecated and disabled versions do."""
import pytest
from azureml.core.runconfig import RunConfiguration
from azureml.pipeline.core import Module, ModuleVersion, Pipeline, PipelineData
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
    with pytest.raises(Exception, match="provided version value already exist"):
        again.publish_python_script("write.py", "dup", inputs=[], outputs=[], version="1",
                                    source_directory=str(cluster.work / "writer-1"))


def test_module_steps_pass_data_through_their_ports_and_params_override(cluster):
    writer, reader = Module.create(cluster.ws, "writer", "w"), Module.create(cluster.ws, "reader", "r")
    _publish_writer(cluster, writer, "1")
    _publish_writer(cluster, writer, "2", is_default=True)
    _publish_reader(cluster, reader)
    word = PipelineData("word", datastore=cluster.ws.get_default_datastore())
    write = ModuleStep(module=Module.get(cluster.ws, name="writer"), outputs_map={"out": word},
                       compute_target=cluster.target, runconfig=_config(cluster), params={"word": "bonjour"},
                       arguments=["--out", word], name="write")
    read = ModuleStep(module=reader, version="1", inputs_map={"inp": word}, compute_target=cluster.target,
                      runconfig=_config(cluster), params={"times": "3"}, arguments=["--inp", word], name="read")
    run = cluster.experiment.submit(Pipeline(cluster.ws, steps=[read, write]))
    assert run.wait_for_completion(show_output=False) == "Finished"
    # The graph's node carries no name: a step run is named after its module, as the service knows it.
    assert "READ 2:bonjour 3" in job_log(run.find_step_run("reader")[0])
    assert run.find_step_run("writer")[0].get_properties()["StepType"] == "ModuleStep"
