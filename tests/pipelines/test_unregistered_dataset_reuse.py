"""An unregistered dataset (``Dataset.File.from_files((datastore, path))``) as a step input: the
same definition is the same saved dataset in every Python session, so a fresh session's
unchanged pipeline reuses the step's earlier run; another path does not."""
import os
import subprocess
import sys
from pathlib import Path

SESSION = """
import sys
from azureml_emulator import emulate
with emulate(home=sys.argv[1]):
    from azureml.core import Dataset, Experiment, Workspace
    from azureml.core.compute import ComputeTarget
    from azureml.core.runconfig import RunConfiguration
    from azureml.pipeline.core import Pipeline
    from azureml.pipeline.steps import PythonScriptStep
    from helpers import service_environment
    ws = Workspace.from_config()
    digits = Dataset.File.from_files(path=(ws.get_default_datastore(), sys.argv[3]))
    config = RunConfiguration()
    config.environment = service_environment()
    count = PythonScriptStep(script_name="count.py", name="count", source_directory=sys.argv[2],
                             compute_target=ComputeTarget(ws, "cpu-cluster"), runconfig=config,
                             arguments=[digits.as_named_input("digits").as_mount()])
    run = Experiment(ws, "tests").submit(Pipeline(ws, steps=[count]))
    assert run.wait_for_completion(show_output=False) == "Finished"
    (step,) = run.get_steps()
    print("STEP", step.id, "REUSED", step._is_reused, "SAVED", digits.id)
"""


def session(cluster, folder, path):
    """Submit the pipeline from a new Python process; (step run id as the SDK shows it, whether it was
    reused, the dataset's saved id)."""
    tests = Path(__file__).resolve().parent.parent
    answer = subprocess.run([sys.executable, "-c", SESSION, str(cluster.home), folder, path], cwd=str(cluster.work),
                            capture_output=True, text=True, timeout=300,
                            env=dict(os.environ, PYTHONPATH=os.pathsep.join([str(tests), str(tests.parent)])))
    assert answer.returncode == 0, answer.stderr[-3000:]
    words = next(line for line in answer.stdout.splitlines() if line.startswith("STEP ")).split()
    return words[1], words[3] == "True", words[5]


def test_a_fresh_session_reuses_a_step_whose_unregistered_dataset_is_unchanged(cluster):
    datastore = cluster.ws.get_default_datastore()
    for name in ("digits", "other"):
        (cluster.work / name).mkdir()
        (cluster.work / name / "seven.txt").write_text("7")
        datastore.upload(src_dir=str(cluster.work / name), target_path=name)
    folder = cluster.work / "steps"
    folder.mkdir()
    (folder / "count.py").write_text("import os, sys\nprint('FILES', sorted(os.listdir(sys.argv[1])))\n")

    first, reused, saved = session(cluster, str(folder), "digits")
    assert not reused
    second, reused_again, saved_again = session(cluster, str(folder), "digits")
    assert saved_again == saved   # the same definition, the same saved dataset
    assert reused_again and second == first   # Azure shows the run it reused
    third, reused_other, saved_other = session(cluster, str(folder), "other")
    assert saved_other != saved and not reused_other and third != first
