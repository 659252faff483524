"""Script runs on the 'local' target: the SDK's own local-run protocol (it copies the source
directory, asks the execution service for the run, unzips the answer and starts
azureml-setup/Invocation.sh), with the job in its Environment's build on this machine."""
import sys
import tempfile
import time
from pathlib import Path

import pytest
from azureml.core import Environment, Run, ScriptRunConfig
from azureml.exceptions import ActivityFailedException

from helpers import is_running, job_log


@pytest.fixture(autouse=True)
def own_temporary_folder(tmp_path, monkeypatch):
    """The SDK leaves its copies in <tmp>/azureml_runs; these tests keep theirs in their own folder."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()


def submit_local(cluster, source, arguments=(), environment=None, files=None, target="local"):
    folder = cluster.work / "local-src"
    folder.mkdir(exist_ok=True)
    (folder / "train.py").write_text(source)
    for name, text in (files or {}).items():
        (folder / name).write_text(text)
    config = ScriptRunConfig(source_directory=str(folder), script="train.py", arguments=list(arguments),
                             environment=environment or cluster.environment)
    if target is not None:
        config.run_config.target = target
    return cluster.experiment.submit(config)


SCRIPT = """
import os, sys
from azureml.core import Run
run = Run.get_context()
print('ARGS', sys.argv[1:])
print('CWD', os.getcwd())
print('FILES', sorted(os.listdir('.')))
print('EXE', sys.executable)
run.log('accuracy', 0.5)
os.makedirs('outputs', exist_ok=True)
open('outputs/model.txt', 'w').write('weights')
"""


@pytest.mark.parametrize("target", ["local", None])
def test_a_local_run_runs_in_the_sdks_copy_with_its_environments_build(cluster, capsys, target):
    run = submit_local(cluster, SCRIPT, ["--rate", 0.5], files={".amlignore": "secret.txt\n", "secret.txt": "s"},
                       target=target)
    run.wait_for_completion(show_output=True)
    printed = capsys.readouterr().out
    assert "Streaming user_logs/std_log.txt" in printed and "ARGS ['--rate', '0.5']" in printed
    assert run.get_status() == "Completed"
    log = job_log(Run.get(cluster.ws, run.id))
    copy = Path(tempfile.gettempdir()) / "azureml_runs" / run.id
    assert "CWD {}".format(copy) in log
    files = next(line for line in log.splitlines() if line.startswith("FILES"))
    assert "'train.py'" in files and "'.amlignore'" in files and "secret.txt" not in files   # .amlignore applied
    assert str(Path(sys.prefix)) not in log.split("EXE ")[1].split("\n")[0]   # not the kernel's Python
    assert run.get_metrics() == {"accuracy": 0.5}
    assert "outputs/model.txt" in run.get_file_names()
    details = run.get_details()
    assert details["target"] == "local" and details["properties"]["ContentSnapshotId"]
    assert [r.id for r in cluster.experiment.get_runs(type="azureml.scriptrun")] == [run.id]


def test_user_managed_dependencies_run_in_the_kernels_python_and_say_so(cluster):
    environment = Environment("user-managed")
    environment.python.user_managed_dependencies = True
    run = submit_local(cluster, "import sys\nprint('EXE', sys.executable)\n", environment=environment)
    run.wait_for_completion()
    log = job_log(run)
    assert "EXE {}".format(sys.executable) in log
    assert "runs in the kernel's own Python" in log


def test_a_failing_local_script_fails_the_run_with_its_traceback(cluster):
    run = submit_local(cluster, "raise ValueError('bad local data')\n")
    with pytest.raises(ActivityFailedException, match="bad local data"):
        # Through Finalizing too: without wait_post_processing the SDK stops polling at Finalizing (not one of
        # its running states) and returns without raising, on Azure as here, if its poll lands there.
        run.wait_for_completion(wait_post_processing=True)
    assert run.get_status() == "Failed"
    assert "User process 'python' exited with status code 1" in run.get_details()["error"]["error"]["message"]


def test_cancel_ends_a_local_job_through_the_sdks_killfile_and_event(cluster):
    run = submit_local(cluster, "import os, time\nprint('PID', os.getpid(), flush=True)\ntime.sleep(300)\n")

    def log():
        return run.get_details_with_logs()["logFiles"].get("user_logs/std_log.txt", "")
    deadline = time.monotonic() + 60
    while "PID" not in log() and time.monotonic() < deadline:
        time.sleep(0.2)
    pid = int(log().split("PID ")[1].split()[0])
    run.cancel()
    assert (Path(tempfile.gettempdir()) / "azureml_runs" / run.id / "azureml-setup" / "killfile").is_file()
    run.wait_for_completion()
    assert run.get_status() == "Canceled"
    deadline = time.monotonic() + 20
    while (is_running(pid) or "The run was canceled." not in log()) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not is_running(pid) and "The run was canceled." in log()


def test_docker_enabled_is_accepted_and_said_to_be_ignored(cluster):
    environment = cluster.environment.clone("docker-env")
    environment.docker.enabled = True
    run = submit_local(cluster, "print('ran')\n", environment=environment)
    run.wait_for_completion()
    assert run.get_status() == "Completed"
    run.download_file("azureml-logs/20_image_build_log.txt", str(cluster.work / "build.txt"))
    assert "the emulator has no Docker" in (cluster.work / "build.txt").read_text()
