"""Script runs given a command (``ScriptRunConfig(command=...)``) instead of a script: the command
runs in a shell in the job, its Python processes log to the run, and its exit code is the run's."""
from azureml.core import ScriptRunConfig

from helpers import job_log

TRAIN = """
import os
from azureml.core import Run
Run.get_context().log('accuracy', 0.5)
os.makedirs('outputs', exist_ok=True)
open('outputs/model.txt', 'w').write('weights')
"""


def test_a_command_run_runs_in_a_shell_and_its_python_logs_to_the_run(cluster):
    folder = cluster.work / "command"
    folder.mkdir()
    (folder / "train.py").write_text(TRAIN)
    run = cluster.experiment.submit(ScriptRunConfig(
        source_directory=str(folder), command=["python", "train.py", "&&", "echo", "trained", "in", "$PWD"],
        compute_target=cluster.target, environment=cluster.environment))
    assert run.wait_for_completion(show_output=False)["status"] == "Completed"
    assert "trained in " in job_log(run)
    assert run.get_metrics() == {"accuracy": 0.5}
    assert "outputs/model.txt" in run.get_file_names()
