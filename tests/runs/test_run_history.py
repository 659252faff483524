"""Run history and metrics as the SDK meets them outside a job: experiments, run lookups,
properties, and the metric service's refusal of malformed batches."""
import pytest
import requests
from azureml.core import Experiment, Run
from azureml.exceptions import ServiceException

from azureml_emulator.addresses import EMULATOR_BASE_URL
from azureml_emulator.ids import WorkspaceKey
from azureml_emulator.runs import backend as runs


def scope(ws):
    return ("/subscriptions/{}/resourceGroups/{}/providers/Microsoft.MachineLearningServices/workspaces/{}"
            .format(ws.subscription_id, ws.resource_group, ws.name))


def test_an_experiment_is_created_on_first_use_and_listed(ws):
    experiment = Experiment(ws, "my-experiment")
    assert experiment.id
    assert Experiment(ws, "my-experiment").id == experiment.id
    assert "my-experiment" in ws.experiments


def test_a_missing_run_is_run_not_found(ws):
    with pytest.raises(ServiceException, match=r"\(RunNotFound\) Run run-1 was not found"):
        Run.get(ws, "run-1")


def test_a_property_cannot_change_once_set(azureml_emulator, ws):
    Experiment(ws, "e")
    key = WorkspaceKey.of(ws)
    runs.create_run(azureml_emulator.store, key, "e", "r1", {})
    runs.patch(azureml_emulator.store, key, "e", "r1", {"properties": {"a": "1"}})
    runs.patch(azureml_emulator.store, key, "e", "r1", {"properties": {"a": "1", "b": "2"}})   # same value: fine
    answer = requests.patch(EMULATOR_BASE_URL + "/history/v1.0" + scope(ws) + "/experiments/e/runs/r1",
                            json={"properties": {"a": "changed"}})
    assert answer.status_code == 409
    assert "Property a already exists on run r1" in answer.json()["error"]["message"]
    assert runs.get(azureml_emulator.store, key, "r1")["properties"] == {"a": "1", "b": "2"}


@pytest.mark.parametrize("body, fragment", [
    ({}, "The batch must have 'values'"),
    ({"values": [{"name": ""}]}, "non-empty 'name'"),
    ({"values": [{"name": "m", "value": [{"no": "data"}]}]}, "'value' must be a list of rows, each with a 'data'"),
])
def test_a_malformed_metric_batch_is_refused_and_stores_nothing(azureml_emulator, ws, body, fragment):
    Experiment(ws, "e")
    key = WorkspaceKey.of(ws)
    runs.create_run(azureml_emulator.store, key, "e", "r1", {})
    url = EMULATOR_BASE_URL + "/metric/v2.0" + scope(ws) + "/runs/r1/batch"
    good = {"name": "ok", "value": [{"data": {"ok": 1}}]}
    answer = requests.post(url, json={"values": [good] + body["values"]} if "values" in body else body)
    assert answer.status_code == 400 and fragment in answer.json()["error"]["message"]
    listed = requests.post(EMULATOR_BASE_URL + "/metric/v2.0" + scope(ws) + "/runs/r1/list", json={})
    assert listed.json()["value"] == []


def test_a_run_whose_job_process_is_gone_is_failed_not_running_forever(azureml_emulator, ws):
    from azureml_emulator.processes import ProcessRecord
    Experiment(ws, "e")
    key = WorkspaceKey.of(ws)
    runs.create_run(azureml_emulator.store, key, "e", "lost", {"status": "Running"})
    runs.save_process(azureml_emulator.store, key, "lost", ProcessRecord(pid=2 ** 22 + 7, create_time=1.0,
                                                                         log="/tmp/lost.log").to_json())
    run = Run.get(ws, "lost")
    assert run.get_status() == "Failed"
    assert "its process (PID 4194311) is gone" in run.get_details()["error"]["error"]["message"]


def test_get_runs_filters_by_tags_properties_and_children_newest_first(ws):
    experiment = Experiment(ws, "queries")
    first = experiment.start_logging(snapshot_directory=None)
    first.tag("team", "a")
    first.add_properties({"stage": "prod"})
    child = first.child_run(name="child")
    child.complete()
    first.complete()
    second = experiment.start_logging(snapshot_directory=None)
    second.tag("team", "b")
    second.complete()
    untagged = experiment.start_logging(snapshot_directory=None)
    untagged.complete()
    assert [r.id for r in experiment.get_runs()] == [untagged.id, second.id, first.id]
    assert [r.id for r in experiment.get_runs(include_children=True)] == [untagged.id, second.id, child.id,
                                                                         first.id]
    assert [r.id for r in experiment.get_runs(tags={"team": "a"})] == [first.id]
    assert [r.id for r in experiment.get_runs(tags="team")] == [second.id, first.id]
    assert [r.id for r in experiment.get_runs(properties={"stage": "prod"})] == [first.id]
    # A tag name with spaces, which the SDK writes into the filter unquoted (as Microsoft's
    # manage-runs sample asks: tags="worth another look").
    second.tag("worth another look")
    assert [r.id for r in experiment.get_runs(tags="worth another look")] == [second.id]
    assert [r.id for r in experiment.get_runs(properties={"stage": "prod"}, tags="worth another look")] == []
    assert [r.id for r in first.get_children()] == [child.id]
    first.remove_tags(["team"])
    assert "team" not in Run(experiment, first.id).get_tags()


def test_an_artifact_is_written_once_as_on_azure(ws, tmp_path):
    from azureml._common.exceptions import AzureMLException
    (tmp_path / "model.txt").write_text("weights")
    run = Experiment(ws, "artifacts").start_logging(snapshot_directory=None)
    run.upload_file("outputs/model.txt", str(tmp_path / "model.txt"))
    with pytest.raises(AzureMLException, match="Resource Conflict: ArtifactId ExperimentRun/dcid.{}/outputs/model.txt "
                                               "already exists".format(run.id)):
        run.upload_file("outputs/model.txt", str(tmp_path / "model.txt"))
    run.complete()
    assert run.get_file_names() == ["outputs/model.txt"]


@pytest.mark.parametrize("path, body", [
    ("/batch/runs", {"runs": 5}), ("/batch/runs", {"runs": ["abc"]}),
    ("/batch/runs", {"runs": [{"runId": "r1", "properties": "x"}]}), ("/batch/events", {"events": ["abc"]}),
])
def test_malformed_batches_are_bad_requests_not_crashes(ws, path, body):
    import requests
    from azureml_emulator.addresses import EMULATOR_BASE_URL
    Experiment(ws, "batches")
    url = "{}/history/v1.0/subscriptions/{}/resourceGroups/{}/providers/Microsoft.MachineLearningServices/workspaces/" \
          "{}/experiments/batches{}".format(EMULATOR_BASE_URL, ws.subscription_id, ws.resource_group, ws.name, path)
    answer = requests.request("PATCH" if path.endswith("runs") else "POST", url, json=body)
    assert answer.status_code == 400


def test_run_scoped_artifact_paths_stay_in_their_run(ws, tmp_path):
    import requests
    from azureml_emulator.addresses import EMULATOR_BASE_URL
    (tmp_path / "a.txt").write_text("a")
    first = Experiment(ws, "scoped").start_logging(snapshot_directory=None)
    first.upload_file("outputs/a.txt", str(tmp_path / "a.txt"))
    second = Experiment(ws, "scoped").start_logging(snapshot_directory=None)
    url = "{}/history/v1.0/subscriptions/{}/resourceGroups/{}/providers/Microsoft.MachineLearningServices/workspaces/" \
          "{}/experiments/scoped/runs/{}/artifacts/contentinfo".format(EMULATOR_BASE_URL, ws.subscription_id,
                                                                       ws.resource_group, ws.name, second.id)
    assert requests.get(url, params={"path": "../dcid.{}/outputs/a.txt".format(first.id)}).status_code == 400
    first.complete()
    second.complete()
