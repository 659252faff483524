"""Model.profile: the models deployed in their Environment as a test service, each row of the
input dataset sent to it, and the latency, CPU and memory it measured in the fields the SDK's
ModelProfile reads; a service that cannot start, or requests that fail, show as Azure shows
them; stopping the emulator stops a profile's processes."""
import json
import time
import warnings

import joblib
import numpy as np
import pytest
import requests
from azureml.core import Dataset, Model, Workspace
from azureml.core.model import InferenceConfig
from azureml.core.profile import ModelProfile
from azureml.data.dataset_type_definitions import PromoteHeadersBehavior
from azureml.exceptions import WebserviceException
from sklearn.linear_model import LogisticRegression

from azureml_emulator import emulate
from azureml_emulator.tools import housekeeping
from helpers import is_running, service_environment

X = np.random.RandomState(1).rand(30, 4)
SCORE = """import joblib, json, os
def init():
    global model
    {init}
    model = joblib.load(os.path.join(os.environ["AZUREML_MODEL_DIR"], "model.pkl"))
def run(raw_data):
    {run}
    return model.predict(json.loads(raw_data)["data"]).tolist()
"""


@pytest.fixture
def workspace(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    joblib.dump(LogisticRegression().fit(X, X[:, 0] > 0.5), tmp_path / "model.pkl")
    with emulate(home=tmp_path / "home") as emulator:
        ws = Workspace.from_config()
        try:
            yield ws, Model.register(ws, model_path="model.pkl", model_name="profiled"), emulator.home
        finally:
            housekeeping.stop_all(emulator.home)


def sample_requests(ws, rows, name="requests"):
    """A one-column tabular dataset of request bodies, one per line, as Azure's docs build it."""
    with open(name + ".txt", "w") as out:
        out.write("\n".join(rows) + "\n")
    datastore = ws.get_default_datastore()
    datastore.upload_files([name + ".txt"], target_path="profiling", overwrite=True, show_progress=False)
    return Dataset.Tabular.from_delimited_files([(datastore, "profiling/{}.txt".format(name))], separator="\n",
                                                header=PromoteHeadersBehavior.NO_HEADERS)


def inference(tmp_path, init="pass", run="pass"):
    (tmp_path / "score.py").write_text(SCORE.format(init=init, run=run))
    return InferenceConfig(entry_script="score.py", environment=service_environment())


def bodies(count):
    return [json.dumps({"data": [list(row)]}) for row in X[:count]]


def test_a_profile_measures_the_service_on_every_row(workspace, tmp_path):
    ws, model, _home = workspace
    profile = Model.profile(ws, "sklearn-profile", [model], inference(tmp_path), sample_requests(ws, bodies(25)),
                            cpu=1, memory_in_gb=0.5, description="25 one-image requests")
    with warnings.catch_warnings():
        warnings.simplefilter("error")   # neither "failed" nor "encountered issues"
        profile.wait_for_completion(show_output=True)
    details = profile.get_details()
    assert details["state"] == "Succeeded" and details["name"] == "sklearn-profile"
    assert (details["totalQueries"], details["successQueries"], details["successRate"]) == (25, 25, 100.0)
    assert (details["requestedCpu"], details["requestedMemoryInGB"]) == (1.0, 0.5)
    latencies = [details["latencyPercentile{}InMs".format(p)] for p in ("50", "90", "95", "99", "999")]
    assert 0 < latencies[0] and latencies == sorted(latencies) and 0 < details["averageLatencyInMs"] < 10_000
    assert details["measuredQueriesPerSecond"] > 0
    assert 0.01 < details["maxUtilizedMemoryInGB"] < 0.5   # a Python server with scikit-learn, under the limit
    assert 0 < details["maxUtilizedCpu"] <= 1.1   # the service's processes have the one core asked for
    assert details["recommendedMemoryInGB"] >= details["maxUtilizedMemoryInGB"] * 1.2 - 0.1
    assert 0.1 <= details["recommendedCpu"] <= 3.5
    again = ModelProfile(ws, "sklearn-profile")
    assert again.serialize()["successQueries"] == 25 and again.model_ids == [model.id]
    assert again.description == "25 one-image requests"


def test_failed_requests_leave_a_profile_with_issues(workspace, tmp_path):
    ws, model, _home = workspace
    rows = bodies(4) + ["this is not JSON"]
    profile = Model.profile(ws, "partial", [model], inference(tmp_path), sample_requests(ws, rows, "partial"))
    with pytest.warns(UserWarning, match="Model Profiling operation completed, but encountered issues during "
                                         "execution: 1 of 5 scoring requests failed; the first was answered 500"):
        profile.wait_for_completion()
    assert (profile.total_queries, profile.success_queries, profile.success_rate) == (5, 4, 80.0)
    assert profile.state == "Succeeded"


def test_a_service_that_cannot_start_fails_the_profile(workspace, tmp_path):
    ws, model, _home = workspace
    profile = Model.profile(ws, "broken", [model], inference(tmp_path, init="raise RuntimeError('no GPU here')"),
                            sample_requests(ws, bodies(3), "broken"))
    with pytest.warns(UserWarning, match="Model Profiling operation failed with the following error: Model profiling "
                                         "failed: the service could not be started: Error in entry script, "
                                         "RuntimeError: no GPU here"):
        profile.wait_for_completion()
    assert profile.state == "Failed" and profile.total_queries is None


def slow_profile(workspace, tmp_path, name):
    """A profile whose service takes 30 s per request, once its service runs: (profile, the
    PIDs of its profiler and of its service's processes)."""
    ws, model, home = workspace
    profile = Model.profile(ws, name, [model], inference(tmp_path, run="import time; time.sleep(30)"),
                            sample_requests(ws, bodies(3), name))
    deadline = time.monotonic() + 300
    store = housekeeping.Store(home)
    while True:
        tree = _tree(home)
        recorded = store.query("SELECT service FROM profiles")[0]["service"]
        if recorded and any("service_process" in " ".join(p.cmdline()) for p in tree[1:]):
            return profile, tree[0], tree[1:]
        assert time.monotonic() < deadline, "the profile's service did not start"
        time.sleep(0.5)


def _tree(home):
    """The profiler of the home's one running profile, and every process below it and below its
    test service's supervisor (which runs in a session of its own)."""
    import psutil
    store = housekeeping.Store(home)
    rows = store.query("SELECT process, service FROM profiles")
    found = []
    for column in ("process", "service"):
        record = json.loads(rows[0][column]) if rows and rows[0][column] else None
        try:
            root = psutil.Process(record["pid"]) if record else None
        except psutil.NoSuchProcess:
            continue
        if root is not None:
            found += [root] + root.children(recursive=True)
    return found


def test_stopping_the_emulator_stops_a_profile_and_its_service(workspace, tmp_path):
    ws, _model, home = workspace
    _profile, profiler, service = slow_profile(workspace, tmp_path, "slow")
    assert housekeeping.stop_all(home) == 1
    assert not is_running(profiler.pid) and not any(is_running(p.pid) for p in service)
    assert ModelProfile(ws, "slow").state == "Failed"
    assert ModelProfile(ws, "slow").error == {"message": "Model profiling was stopped before it finished"}
    assert housekeeping.stop_all(home) == 0   # nothing is left to stop


def test_a_killed_profiler_fails_its_profile_and_its_service_is_stopped(workspace, tmp_path):
    import os
    import signal
    ws, _model, home = workspace
    _profile, profiler, service = slow_profile(workspace, tmp_path, "killed")
    os.kill(profiler.pid, signal.SIGKILL)
    profiler.wait(10)
    found = ModelProfile(ws, "killed")
    assert found.state == "Failed" and found.error["message"].startswith(
        "The profiler stopped before it finished; its log is ")
    deadline = time.monotonic() + 30
    while any(is_running(p.pid) for p in service):
        assert time.monotonic() < deadline, "the killed profiler's service is still running"
        time.sleep(0.2)
    assert housekeeping.stop_all(home) == 0


def test_a_profile_of_a_dataset_that_is_not_there_is_refused(workspace):
    ws, model, _home = workspace
    url = "https://azureml-emulator.invalid/modelmanagement/v1.0{}/profiles".format(
        "/subscriptions/{}/resourceGroups/{}/providers/Microsoft.MachineLearningServices/workspaces/{}".format(
            ws.subscription_id, ws.resource_group, ws.name))
    body = {"name": "nothing", "inputDatasetId": "no-such-dataset",
            "environmentImageRequest": {"modelIds": [model.id]}}
    answer = requests.post(url, json=body)
    assert answer.status_code == 404
    assert answer.json()["error"]["message"] == "Dataset 'no-such-dataset' (inputDatasetId) not found in this workspace"
    answer = requests.post(url, json=dict(body, environmentImageRequest={"modelIds": 5}))
    assert answer.status_code == 400 and "whose modelIds is a list of model ids" in answer.json()["error"]["message"]
    answer = requests.post(url, json=dict(body, containerResourceRequirements={"cpu": 4, "memoryInGB": 1}))
    assert answer.status_code == 400
    assert answer.json()["error"]["message"] == ("containerResourceRequirements.cpu is 4: expected a number from "
                                                 "0.1 to 3.5")
    with pytest.raises(WebserviceException, match="Response Code: 404(.|\n)*No profile named never-profiled in this workspace"):
        ModelProfile(ws, "never-profiled")


def test_packaging_a_model_says_it_is_not_emulated(workspace, tmp_path):
    ws, model, _home = workspace
    with pytest.raises(WebserviceException) as caught:
        Model.package(ws, [model], inference(tmp_path))
    assert "not emulated by azureml_emulator: PackageOperations.create" in caught.value.message
