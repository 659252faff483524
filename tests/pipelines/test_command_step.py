"""CommandStep: a `python <script>.py ...` command runs as that script, as a real step run
(a list command with PipelineData in it, or one string); any other command is refused."""
from azureml.core.runconfig import RunConfiguration
from azureml.pipeline.core import Pipeline, PipelineData
from azureml.pipeline.steps import CommandStep

from helpers import job_log

WRITE = """
import argparse, os
parser = argparse.ArgumentParser()
parser.add_argument('--out')
parser.add_argument('--word')
args = parser.parse_args()
os.makedirs(args.out, exist_ok=True)
open(os.path.join(args.out, 'word.txt'), 'w').write(args.word)
"""
READ = """
import os, sys
folder = os.environ['AZUREML_DATAREFERENCE_message']
print('READ', open(os.path.join(folder, 'word.txt')).read(), sys.argv[1:])
"""


def test_python_commands_run_as_their_scripts_and_pass_data(cluster):
    folder = cluster.work / "commands"
    folder.mkdir()
    (folder / "write.py").write_text(WRITE)
    (folder / "read.py").write_text(READ)
    config = RunConfiguration()
    config.environment = cluster.environment
    message = PipelineData("message", datastore=cluster.ws.get_default_datastore())
    write = CommandStep(name="write", command=["python", "write.py", "--out", message, "--word", "hello"],
                        outputs=[message], source_directory=str(folder), compute_target=cluster.target,
                        runconfig=config)
    read = CommandStep(name="read", command="python read.py --tag x", inputs=[message],
                       source_directory=str(folder), compute_target=cluster.target, runconfig=config)
    run = cluster.experiment.submit(Pipeline(cluster.ws, steps=[read, write]))
    assert run.wait_for_completion(show_output=False) == "Finished"
    assert "READ hello ['--tag', 'x']" in job_log(run.find_step_run("read")[0])
    assert run.find_step_run("write")[0].get_properties()["StepType"] == "CommandStep"


def test_which_commands_run_and_which_are_refused():
    import pytest
    from azureml_emulator.errors import NotEmulated
    from azureml_emulator.pipelines.steps import command_script
    listed = {"Name": "s", "StructuredInterface": {"Arguments": [{"ValueType": "Literal", "Value": "train.py"}]}}
    assert command_script("python", listed) == ("train.py", None)
    assert command_script("python3 train.py --lr 0.1", {"Name": "s"}) == ("train.py", ["--lr", "0.1"])
    for command in ("bash run.sh", "python -m trainer", "echo hi", "python"):
        with pytest.raises(NotEmulated, match="a CommandStep's command other than `python <script>.py ...`"):
            command_script(command, {"Name": "s", "StructuredInterface": {}})
