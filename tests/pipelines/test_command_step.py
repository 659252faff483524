"""CommandStep: its command runs in a shell in the step's job (a list command with PipelineData
in it, or one string), any command: a Python process it starts finds the step run, and its exit
code is the step's. A step's output in upload mode (``as_upload()``) reaches the next step."""
from azureml.core.runconfig import RunConfiguration
from azureml.pipeline.core import Pipeline, PipelineData, PipelineParameter
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


LOG_METRIC = "from azureml.core import Run; Run.get_context().log('m', 1)"


def test_any_command_runs_in_a_shell_whose_python_finds_the_step_run(cluster):
    folder = cluster.work / "shell"
    (folder / "pkg").mkdir(parents=True)
    (folder / "run.sh").write_text('set -e\necho "SHELL $1"\npython -c "{}"\n'.format(LOG_METRIC))
    (folder / "pkg" / "__init__.py").write_text("")
    (folder / "pkg" / "mod.py").write_text("import sys\nprint('MODULE', __name__, sys.argv[1:])\n")
    config = RunConfiguration()
    config.environment = cluster.environment
    common = dict(source_directory=str(folder), compute_target=cluster.target, runconfig=config, allow_reuse=False)
    steps = [CommandStep(name="bash", command="bash run.sh hello", **common),
             CommandStep(name="module", command=["python -m pkg.mod --x", PipelineParameter("x", default_value=1),
                                                 "&& echo CHAINED"], **common),
             CommandStep(name="fails", command=["echo before", "&&", "exit 3"], **common)]
    run = cluster.experiment.submit(Pipeline(cluster.ws, steps=steps), pipeline_parameters={"x": 2},
                                    continue_on_step_failure=True)
    assert run.wait_for_completion(show_output=False, raise_on_error=False) == "Failed"
    step_runs = {name: run.find_step_run(name)[0] for name in ("bash", "module", "fails")}
    assert step_runs["bash"].get_status() == "Finished"
    assert "SHELL hello" in job_log(step_runs["bash"])
    assert step_runs["bash"].get_metrics() == {"m": 1}, job_log(step_runs["bash"])   # its python process logged it
    assert "MODULE __main__ ['--x', '2']\nCHAINED" in job_log(step_runs["module"])
    failed = step_runs["fails"]
    assert failed.get_status() == "Failed" and "before" in job_log(failed)
    assert failed.get_details()["error"]["error"]["message"] == (
        "Execution failed. User process '/bin/bash' exited with status code 3. Please check log file "
        "'user_logs/std_log.txt' for error details.")


def test_an_uploaded_output_is_copied_to_its_destination_and_read_by_the_next_step(cluster):
    from azureml.data import OutputFileDatasetConfig
    from azureml.pipeline.steps import PythonScriptStep
    folder = cluster.work / "upload"
    folder.mkdir()
    (folder / "write.py").write_text(
        "import os, sys\nopen(os.path.join(sys.argv[1], 'word.txt'), 'w').write('uploaded')\n"
        "print('LOCAL', sys.argv[1], os.environ['AZUREML_DATAREFERENCE_words'] == sys.argv[1])\n")
    config = RunConfiguration()
    config.environment = cluster.environment
    uploaded = OutputFileDatasetConfig(name="words").as_upload(overwrite=True)
    write = PythonScriptStep(name="write", script_name="write.py", arguments=[uploaded], source_directory=str(folder),
                             compute_target=cluster.target, runconfig=config, allow_reuse=False)
    read = CommandStep(name="read", command=["cd", uploaded.as_input(), "&& cat word.txt"], source_directory=str(folder),
                       compute_target=cluster.target, runconfig=config, allow_reuse=False)
    run = cluster.experiment.submit(Pipeline(cluster.ws, steps=[write, read]))
    assert run.wait_for_completion(show_output=False) == "Finished"
    writer = run.find_step_run("write")[0]
    local, same = next(line for line in job_log(writer).splitlines() if line.startswith("LOCAL ")).split(" ")[1:]
    assert same == "True"   # the step's variable for its output names the same folder
    destination = "dataset/{}/words".format(writer.id)   # Azure's default destination
    assert destination not in local   # the script wrote a local folder, not the datastore
    cluster.ws.get_default_datastore().download(str(cluster.work / "got"), prefix=destination)
    assert (cluster.work / "got" / destination / "word.txt").read_text() == "uploaded"
    assert job_log(run.find_step_run("read")[0]).startswith("uploaded")
