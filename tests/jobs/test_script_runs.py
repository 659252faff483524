"""Script runs on an AmlCompute cluster: real jobs, in their Environment's build, through
the SDK's own submit, wait and result calls."""
import json
import sys
import time

import psutil
import pytest
from azureml.core import Run
from azureml.exceptions import ActivityFailedException

from azureml_emulator.environments import builder
from azureml_emulator.ids import WorkspaceKey
from azureml_emulator.runs import backend as runs
from azureml_emulator.store import Store
from helpers import job_log, service_environment_with, submit_script

LOGGING_SCRIPT = """
import os, sys
from azureml.core import Run
run = Run.get_context()
print('arguments:', sys.argv[1:])
print('python:', sys.executable)
run.log('accuracy', 0.5)
run.log('accuracy', 0.75)
run.log_list('losses', [3, 2, 1])
run.log_row('table', epoch=1, loss=0.5)
os.makedirs('outputs', exist_ok=True)
open('outputs/model.txt', 'w').write('weights')
print('trained')
"""



def test_a_script_run_logs_metrics_uploads_outputs_and_registers_its_model(cluster, capsys):
    run = submit_script(cluster, LOGGING_SCRIPT, ["--rate", 0.5])
    assert run.get_status() in ("NotStarted", "Queued", "Preparing", "Running")
    run.wait_for_completion(show_output=True)
    printed = capsys.readouterr().out
    assert "Streaming user_logs/std_log.txt" in printed
    assert "arguments: ['--rate', '0.5']" in printed and "trained" in printed
    assert str(cluster.home) not in printed.split("python:")[1].split("\n")[0]   # not the kernel's Python
    assert run.get_status() == "Completed"
    interactive = run.experiment.start_logging(snapshot_directory=None)
    interactive.complete()
    assert [r.id for r in run.experiment.get_runs(type="azureml.scriptrun")] == [run.id]
    assert run.get_metrics() == {"accuracy": [0.5, 0.75], "losses": [3, 2, 1], "table": {"epoch": 1, "loss": 0.5}}
    assert set(run.get_file_names()) >= {"outputs/model.txt", "user_logs/std_log.txt"}
    model = run.register_model(model_name="from-run", model_path="outputs/model.txt")
    assert model.run_id == run.id and model.version == 1
    run.download_file("outputs/model.txt", str(cluster.work / "model.txt"))
    assert (cluster.work / "model.txt").read_text() == "weights"


def test_the_job_runs_in_the_environment_build_not_the_kernel(cluster):
    run = submit_script(cluster, "import sys\nprint('EXE', sys.executable)\nprint('PATH', sys.path)\n")
    run.wait_for_completion()
    log = job_log(Run.get(cluster.ws, run.id))
    executable = next(line.split(" ", 1)[1] for line in log.splitlines() if line.startswith("EXE"))
    assert executable.startswith(str(builder.cache_root()))
    path = next(line for line in log.splitlines() if line.startswith("PATH"))
    assert sys.prefix not in path   # none of the kernel's packages


def test_a_failing_script_fails_the_run_with_its_traceback(cluster):
    run = submit_script(cluster, "def train():\n    raise ValueError('no data here')\ntrain()\n")
    with pytest.raises(ActivityFailedException) as raised:
        run.wait_for_completion(show_output=False)
    message = raised.value.message
    assert "Execution failed. User process 'python' exited with status code 1." in message
    assert "user_logs/std_log.txt" in message and "ValueError: no data here" in message
    assert run.get_status() == "Failed"
    error = run.get_details()["error"]["error"]
    assert error["code"] == "UserError"
    assert 'File "train.py", line 2, in train' in error["message"] and "job_runtime" not in error["message"]


def test_a_script_that_exits_with_a_code_fails_with_that_code(cluster):
    run = submit_script(cluster, "import sys\nsys.exit(3)\n")
    with pytest.raises(ActivityFailedException, match="exited with status code 3"):
        # Through Finalizing too: without wait_post_processing the SDK stops polling at Finalizing (not one of
        # its running states) and returns without raising, on Azure as here, if its poll lands there.
        run.wait_for_completion(wait_post_processing=True)


def test_cancel_stops_the_job_and_ends_the_run_canceled(cluster):
    run = submit_script(cluster, "import time\nprint('started', flush=True)\ntime.sleep(120)\n")
    deadline = time.monotonic() + 120
    while run.get_status() != "Running" and time.monotonic() < deadline:
        time.sleep(0.2)
    store = Store(cluster.home)
    key = WorkspaceKey.of(cluster.ws)
    supervisor = psutil.Process(runs.process_of(store, key, run.id)["pid"])
    job = supervisor.children()
    run.cancel()
    run.wait_for_completion()   # returns at CancelRequested, as the SDK counts it an end state
    while run.get_status() == "CancelRequested" and time.monotonic() < deadline:
        time.sleep(0.2)
    assert run.get_status() == "Canceled"
    psutil.wait_procs([supervisor] + job, timeout=15)
    assert not any(p.is_running() and p.status() != psutil.STATUS_ZOMBIE for p in [supervisor] + job)


def test_metrics_reach_the_workspace_while_the_job_runs(cluster):
    flag = cluster.work / "may-finish"
    run = submit_script(cluster, (
        "import os, sys, time\nfrom azureml.core import Run\nrun = Run.get_context()\nrun.log('epoch', 1)\n"
        "run.flush()\nwhile not os.path.exists(sys.argv[1]):\n    time.sleep(0.1)\n"), [str(flag)])
    deadline = time.monotonic() + 120
    while run.get_metrics() != {"epoch": 1} and time.monotonic() < deadline:
        time.sleep(0.3)
    assert run.get_metrics() == {"epoch": 1}
    assert run.get_status() == "Running"
    flag.write_text("go")
    run.wait_for_completion()
    assert run.get_status() == "Completed"


@pytest.mark.parametrize("attempt, refusal", [
    ("import requests\ntry:\n    requests.get('https://example.com', timeout=5)\n"
     "except requests.ConnectionError as e:\n    print('REFUSED', e)\n", "GET https://example.com/"),
    ("import urllib.request, urllib.error\ntry:\n    urllib.request.urlopen('https://example.com', timeout=5)\n"
     "except urllib.error.URLError as e:\n    print('REFUSED', e.reason)\n", "https://example.com"),
])
def test_a_job_cannot_reach_the_internet(cluster, attempt, refusal):
    run = submit_script(cluster, attempt)
    run.wait_for_completion()
    assert "REFUSED azureml_emulator: this job runs offline, so this request was not sent: " + refusal in job_log(run)


def test_runs_wait_for_a_free_node_of_a_one_node_cluster(cluster):
    from azureml.core.compute import AmlCompute, ComputeTarget
    single = ComputeTarget.create(cluster.ws, "one-node", AmlCompute.provisioning_configuration(
        vm_size="STANDARD_D2_V2", min_nodes=0, max_nodes=1))
    release = cluster.work / "release-the-first-job"
    # The first job holds the only node until the test has seen the second one queued behind it.
    first = submit_script(cluster, "import os, time\nwhile not os.path.exists({!r}):\n    time.sleep(0.1)\n"
                          .format(str(release)), target=single, folder="first")
    second = submit_script(cluster, "print('second')\n", target=single, folder="second")
    deadline, queued = time.monotonic() + 120, False
    while not queued and time.monotonic() < deadline:
        queued = second.get_status() == "Queued" and first.get_status() in ("Preparing", "Running")
        time.sleep(0.2)
    release.touch()
    assert queued, "the second run was never Queued behind the first: {}".format(second.get_status())
    first.wait_for_completion()
    second.wait_for_completion()
    first_details, second_details = first.get_details(), second.get_details()
    assert first_details["status"] == second_details["status"] == "Completed"
    assert second_details["startTimeUtc"] >= first_details["endTimeUtc"]


def test_snapshot_honours_amlignore_and_later_runs_get_unchanged_files(cluster):
    files = {"keep.txt": "kept", "secret.csv": "ignored", ".amlignore": "*.csv\n"}
    script = "import os\nprint('FILES', sorted(os.listdir('.')))\n"
    first = submit_script(cluster, script, files=files)
    first.wait_for_completion()
    (cluster.work / "job" / "new.txt").write_text("added")   # the second snapshot uploads only this file
    second = submit_script(cluster, script)
    second.wait_for_completion()
    for run, expected in ((first, [".amlignore", "keep.txt", "train.py"]),
                          (second, [".amlignore", "keep.txt", "new.txt", "train.py"])):
        log = job_log(run)
        listed = next(line for line in log.splitlines() if line.startswith("FILES"))
        assert json.loads(listed[len("FILES "):].replace("'", '"')) == expected


def test_the_command_line_lists_runs_with_their_live_state_and_clusters(cluster, capsys):
    from azureml_emulator.tools import cli
    run = submit_script(cluster, "print('hello')\n")
    run.wait_for_completion()
    capsys.readouterr()
    assert cli.main(["--home", str(cluster.home), "runs"]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert listed[0].split()[:5] == ["WORKSPACE", "EXPERIMENT", "RUN_ID", "STATUS", "TARGET"]
    assert listed[1].split()[1:5] == ["tests", run.id, "Completed", "cpu-cluster"]
    assert cli.main(["--home", str(cluster.home), "computes"]) == 0
    assert capsys.readouterr().out.splitlines()[1].split()[1:] == ["cpu-cluster", "STANDARD_D2_V2", "2"]


def test_a_job_uploads_files_and_logs_images_through_blob_storage(cluster):
    run = submit_script(cluster, (
        "import matplotlib\nmatplotlib.use('Agg')\nimport matplotlib.pyplot as plt\nfrom azureml.core import Run\n"
        "run = Run.get_context()\nopen('notes.txt', 'w').write('uploaded by the job')\n"
        "run.upload_file('reports/notes.txt', 'notes.txt')\n"
        "plt.plot([1, 2, 3])\nrun.log_image('curve', plot=plt)\n"),
        environment=service_environment_with("matplotlib"))
    run.wait_for_completion()
    names = run.get_file_names()
    assert "reports/notes.txt" in names and any(n.startswith("curve_") and n.endswith(".png") for n in names)
    run.download_file("reports/notes.txt", str(cluster.work / "notes.txt"))
    assert (cluster.work / "notes.txt").read_text() == "uploaded by the job"
    image = next(n for n in names if n.startswith("curve_"))
    assert run.get_metrics()["curve"] == "aml://artifactId/ExperimentRun/dcid.{}/{}".format(run.id, image)


def test_an_interactive_run_uploads_its_outputs_when_it_completes(cluster, monkeypatch):
    monkeypatch.chdir(cluster.work)
    (cluster.work / "src").mkdir()
    (cluster.work / "src" / "notebook.py").write_text("x = 1\n")
    run = cluster.experiment.start_logging(snapshot_directory=str(cluster.work / "src"))
    run.log("loss", 0.5)
    (cluster.work / "outputs").mkdir(exist_ok=True)
    (cluster.work / "outputs" / "model.txt").write_text("weights")
    run.complete()
    assert run.get_status() == "Completed"
    assert run.get_file_names() == ["outputs/model.txt"]
    assert run.get_metrics() == {"loss": 0.5}


def test_what_a_script_leaves_running_ends_with_its_job(cluster):
    run = submit_script(cluster, (
        "import subprocess\nhelper = subprocess.Popen(['sleep', '300'], start_new_session=True)\n"
        "print('HELPER', helper.pid, flush=True)\n"))
    run.wait_for_completion()
    log = job_log(run)
    helper = int(next(line.split()[1] for line in log.splitlines() if line.startswith("HELPER")))
    deadline = time.monotonic() + 15
    while psutil.pid_exists(helper) and psutil.Process(helper).status() != psutil.STATUS_ZOMBIE \
            and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not psutil.pid_exists(helper) or psutil.Process(helper).status() == psutil.STATUS_ZOMBIE


def test_a_run_whose_job_died_does_not_hold_its_clusters_node(cluster):
    from azureml.core.compute import AmlCompute, ComputeTarget
    from azureml_emulator.processes import ProcessRecord
    single = ComputeTarget.create(cluster.ws, "one-node", AmlCompute.provisioning_configuration(
        vm_size="STANDARD_D2_V2", max_nodes=1))
    store, key = Store(cluster.home), WorkspaceKey.of(cluster.ws)
    runs.create_run(store, key, "tests", "dead-run", {"status": "Running", "target": "one-node",
                                                       "runType": "azureml.scriptrun"})
    runs.save_process(store, key, "dead-run", ProcessRecord(pid=2 ** 22 + 11, create_time=1.0).to_json())
    run = submit_script(cluster, "print('got the node')\n", target=single)
    run.wait_for_completion()
    assert run.get_status() == "Completed"
    assert runs.get(store, key, "dead-run")["status"] == "Failed"


def test_a_client_cannot_set_a_submitted_runs_status(cluster):
    from azureml.exceptions import ServiceException
    run = submit_script(cluster, "import time\ntime.sleep(2)\n")
    with pytest.raises(ServiceException, match="Status for this run is system managed"):
        run.complete()
    run.wait_for_completion()
    assert run.get_status() == "Completed"


def test_download_files_with_a_prefix_gets_the_outputs(cluster):
    run = submit_script(cluster, LOGGING_SCRIPT)
    run.wait_for_completion()
    run.download_files(prefix="outputs", output_directory=str(cluster.work / "dl"))
    assert (cluster.work / "dl" / "outputs" / "model.txt").read_text() == "weights"
    run.download_files(output_directory=str(cluster.work / "all"))
    assert (cluster.work / "all" / "user_logs" / "std_log.txt").is_file()


def test_a_run_records_its_environment_registering_it_when_it_was_not(cluster):
    from azureml.core import Environment
    run = submit_script(cluster, "print('hi')\n")   # the cluster's Environment was never registered
    run.wait_for_completion()
    environment = run.get_environment()
    assert environment.name == cluster.environment.name and environment.version.startswith("Autosave_")
    stored = Environment.get(cluster.ws, environment.name, environment.version).python.conda_dependencies
    assert list(stored.pip_packages) == list(cluster.environment.python.conda_dependencies.pip_packages)
    registered = cluster.environment.register(cluster.ws)
    second = submit_script(cluster, "print('hi')\n", environment=registered)
    second.wait_for_completion()
    assert second.get_environment().version == registered.version


def test_file_names_that_need_quoting_reach_the_job_and_the_run_unchanged(cluster):
    names = {"plus+sign.txt": "p", "with space.txt": "s", "a%41b.txt": "a"}
    run = submit_script(cluster, (
        "import os\nfrom azureml.core import Run\nprint('FILES', sorted(os.listdir('.')))\n"
        "open('up load+%41.txt', 'w').write('u')\nRun.get_context().upload_file('reports/up load+%41.txt', "
        "'up load+%41.txt')\n"), files=names)
    run.wait_for_completion()
    assert "FILES ['a%41b.txt', 'plus+sign.txt', 'train.py', 'with space.txt']" in job_log(run)
    assert "reports/up load+%41.txt" in run.get_file_names()


def test_a_job_creates_children_that_log_and_end_in_the_workspace(cluster):
    run = submit_script(cluster, (
        "from azureml.core import Run\nrun = Run.get_context()\n"
        "for i, child in enumerate(run.create_children(count=3)):\n"
        "    child.log('fold', i)\n    child.complete()\n"))
    run.wait_for_completion()
    assert run.get_status() == "Completed"
    children = list(run.get_children())
    assert sorted(child.get_metrics()["fold"] for child in children) == [0, 1, 2]
    assert {child.get_status() for child in children} == {"Completed"}
    assert {child.parent.id for child in children} == {run.id}


def test_restore_snapshot_gives_the_submitted_source_as_a_zip(cluster):
    import zipfile
    run = submit_script(cluster, "print('hi')\n", files={"helper.py": "X = 1\n"})
    run.wait_for_completion()
    archive = run.restore_snapshot(path=str(cluster.work))
    with zipfile.ZipFile(archive) as zipped:
        assert sorted(zipped.namelist()) == ["helper.py", "train.py"]
        assert zipped.read("helper.py") == b"X = 1\n"


def test_a_job_whose_run_ends_while_queued_stops_waiting_and_stop_all_ends_it_anyway(cluster):
    from azureml.core.compute import AmlCompute, ComputeTarget
    from azureml_emulator.tools import housekeeping
    single = ComputeTarget.create(cluster.ws, "one-node-b", AmlCompute.provisioning_configuration(
        vm_size="STANDARD_D2_V2", min_nodes=0, max_nodes=1))
    holder = submit_script(cluster, "import time\ntime.sleep(300)\n", target=single, folder="holder")
    queued = submit_script(cluster, "print('never')\n", target=single, folder="queued")
    deadline = time.monotonic() + 120
    while queued.get_status() != "Queued" and time.monotonic() < deadline:
        time.sleep(0.2)
    store, key = Store(cluster.home), WorkspaceKey.of(cluster.ws)
    waiting = psutil.Process(runs.process_of(store, key, queued.id)["pid"])
    # The run ends while its job waits for the node (the SDK may not end a submitted run: the
    # emulator's own bookkeeping does, when it takes a job for gone).
    runs.set_status(store, key, queued.id, "Failed")
    waiting.wait(timeout=30)   # the job stops waiting: its run has nothing left to run
    assert queued.get_status() == "Failed"
    # A job still running after its run was recorded as ended is stopped with the others.
    while holder.get_status() != "Running" and time.monotonic() < deadline:
        time.sleep(0.2)
    running = psutil.Process(runs.process_of(store, key, holder.id)["pid"])
    runs.set_status(store, key, holder.id, "Failed")
    assert running.is_running()
    housekeeping.stop_all(cluster.home)
    running.wait(timeout=30)
