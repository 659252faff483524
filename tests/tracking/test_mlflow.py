"""MLflow through azureml-mlflow's own plugin: the workspace's tracking URI, runs that are the
workspace's runs (the SDK sees their metrics, tags and artifacts), and MLflow inside a job."""
import mlflow
import pytest
from azureml.core import Run
from mlflow.exceptions import MlflowException

from helpers import job_log, kernel_environment, submit_script


@pytest.fixture
def tracking(ws):
    mlflow.set_tracking_uri(ws.get_mlflow_tracking_uri())
    yield ws
    mlflow.set_tracking_uri(None)


def test_an_mlflow_run_is_a_workspace_run(tracking, tmp_path):
    ws = tracking
    experiment = mlflow.set_experiment("mlflow-flows")
    with mlflow.start_run(run_name="first") as active:
        mlflow.log_param("depth", 3)
        mlflow.log_metric("loss", 0.9)
        mlflow.log_metric("loss", 0.4, step=1)
        mlflow.set_tag("team", "vision")
        (tmp_path / "notes.txt").write_text("from mlflow")
        mlflow.log_artifact(str(tmp_path / "notes.txt"))
    run_id = active.info.run_id
    fetched = mlflow.get_run(run_id)
    assert fetched.data.params == {"depth": "3"} and fetched.data.metrics == {"loss": 0.4}
    assert fetched.info.status == "FINISHED" and fetched.info.experiment_id == experiment.experiment_id
    assert [m.value for m in mlflow.MlflowClient().get_metric_history(run_id, "loss")] == [0.9, 0.4]
    run = Run.get(ws, run_id)
    assert run.get_status() == "Completed" and run.get_metrics() == {"loss": [0.9, 0.4]}
    assert run.get_tags()["team"] == "vision" and "notes.txt" in run.get_file_names()
    assert run.experiment.name == "mlflow-flows"


def test_a_parameter_cannot_change_once_logged(tracking):
    mlflow.set_experiment("mlflow-params")
    with mlflow.start_run():
        mlflow.log_param("lr", 0.1)
        with pytest.raises(MlflowException, match="Changing param values is not allowed"):
            mlflow.log_param("lr", 0.2)


def test_logging_a_model_fails_as_on_azure_which_has_no_logged_models_api(tracking):
    """MLflow 3's log_model calls /logged-models first; Azure answers 404 with an empty body."""
    from sklearn.dummy import DummyClassifier
    mlflow.set_experiment("mlflow-models")
    with mlflow.start_run():
        with pytest.raises(MlflowException) as caught:
            mlflow.sklearn.log_model(DummyClassifier().fit([[0], [1]], [0, 1]), name="model")
    assert caught.value.message == ("API request to endpoint /api/2.0/mlflow/logged-models failed with error "
                                    "code 404 != 200. Response body: ''")


def test_mlflow_inside_a_job_logs_into_the_submitted_run(cluster):
    environment = kernel_environment()   # this kernel's Python has mlflow and azureml-mlflow
    run = submit_script(cluster, (
        "import mlflow\nmlflow.log_param('depth', 3)\nmlflow.log_metric('rmse', 0.25)\n"
        "open('notes.txt', 'w').write('x')\nmlflow.log_artifact('notes.txt')\n"
        "print('ACTIVE', mlflow.active_run().info.run_id)\n"), environment=environment)
    run.wait_for_completion()
    assert run.get_status() == "Completed"
    assert run.get_metrics() == {"rmse": 0.25} and "notes.txt" in run.get_file_names()
    assert "unable to load cloud metadata" not in job_log(run)


def test_bad_metric_values_and_search_filters_are_refused_as_mlflow_refuses(tracking):
    mlflow.set_experiment("mlflow-bad")
    with mlflow.start_run() as active:
        import requests
        url = "https://" + tracking.get_mlflow_tracking_uri().split("://", 1)[1].rstrip("?") + \
            "/api/2.0/mlflow/runs/log-batch"
        answer = requests.post(url, json={"run_id": active.info.run_id, "params": [{"key": "p", "value": "1"}],
                                          "metrics": [{"key": "m", "value": "high", "timestamp": 0, "step": 0}]})
        assert answer.status_code == 400 and answer.json()["error_code"] == "INVALID_PARAMETER_VALUE"
        assert mlflow.get_run(active.info.run_id).data.params == {}   # nothing of the refused batch was kept
    experiment = mlflow.get_experiment_by_name("mlflow-bad")
    with pytest.raises(MlflowException, match="not emulated by azureml_emulator: MLflow run search with filter"):
        mlflow.search_runs([experiment.experiment_id], filter_string="metrics.m > 1")
    assert len(mlflow.search_runs([experiment.experiment_id])) == 1
