"""A DataPath PipelineParameter bound with DataPathComputeBinding: the step's input is the
datastore path the run gives (its default, or the one submitted)."""
import requests
from azureml.data.datapath import DataPath

from helpers import job_log
from test_schedules import data_path_pipeline


def test_a_data_path_parameter_is_the_steps_input_and_a_submitted_one_replaces_the_default(cluster, tmp_path):
    datastore = cluster.ws.get_default_datastore()
    (tmp_path / "up").mkdir()
    (tmp_path / "up" / "default.csv").write_text("the default")
    (tmp_path / "up" / "other.csv").write_text("another file")
    datastore.upload(str(tmp_path / "up"), target_path="incoming", show_progress=False)
    pipeline = data_path_pipeline(cluster)
    run = cluster.experiment.submit(pipeline, pipeline_parameters={
        "input_path": DataPath(datastore, "incoming/other.csv")})
    assert run.wait_for_completion(show_output=False) == "Finished"
    assert "READ another file" in job_log(run.find_step_run("read")[0])

    # the service checks what a REST caller assigns (the SDK checks the names before it sends them)
    published = pipeline.publish(name="reader")
    headers = cluster.ws._auth_object.get_authentication_header()
    answer = requests.post(published.endpoint, headers=headers, json={
        "ExperimentName": "rest", "DataPathAssignments": {"no_such_path": {"DataStoreName": "workspaceblobstore",
                                                                           "RelativePath": "x"}}})
    assert answer.status_code == 400
    assert answer.json()["error"]["message"] == ("DataPath parameters no_such_path are not parameters of the "
                                                 "pipeline (it has input_path)")
    answer = requests.post(published.endpoint, headers=headers, json={
        "ExperimentName": "rest", "DataPathAssignments": {"input_path": "incoming/other.csv"}})
    assert answer.status_code == 400 and "expected a datastore path" in answer.json()["error"]["message"]
