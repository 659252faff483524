"""Metrics come back in the order they were logged, though the SDK sends its batches in
parallel: by step, then by the client's timestamp, as Azure orders them; through
get_metrics, get_metrics(name=), the run widget's metric query and MLflow's history."""
import time

import mlflow
import pytest
from azureml.core import Experiment
from azureml.widgets import RunDetails

VALUES = 500


@pytest.fixture
def run(ws):
    run = Experiment(ws, "ordered").start_logging(snapshot_directory=None)
    yield run
    run.complete()


def test_run_log_values_come_back_in_the_order_logged(run):
    for k in range(VALUES):
        run.log("m", k)
    run.flush()
    assert run.get_metrics()["m"] == list(range(VALUES))
    assert run.get_metrics(name="m") == {"m": list(range(VALUES))}


def test_log_list_row_and_table_keep_their_order(run):
    run.log_list("listed", list(range(VALUES)))
    for k in range(VALUES):
        run.log_row("rows", x=k, y=-k)
    run.log_table("table", {"a": list(range(VALUES)), "b": [str(k) for k in range(VALUES)]})
    run.flush()
    logged = run.get_metrics()
    assert logged["listed"] == list(range(VALUES))
    assert logged["rows"] == {"x": list(range(VALUES)), "y": [-k for k in range(VALUES)]}
    assert logged["table"] == {"a": list(range(VALUES)), "b": [str(k) for k in range(VALUES)]}


def test_a_child_runs_metrics_and_the_widget_keep_the_order_logged(run):
    child = run.child_run()
    for k in range(VALUES):
        child.log("c", k)
        run.log("p", k)
    child.flush()
    run.flush()
    assert child.get_metrics()["c"] == list(range(VALUES))
    details = RunDetails(run)
    details.get_widget_data()
    # The widget reads the run's own metrics in a thread of its pool (`_get_run_metrics`), after
    # get_widget_data has returned; under load they arrive later, as they would from Azure.
    deadline = time.monotonic() + 60
    while not details.widget_instance.run_metrics and time.monotonic() < deadline:
        time.sleep(0.1)
    shown = {metric["name"]: metric["series"][0]["data"] for metric in details.widget_instance.run_metrics}
    assert shown["p"] == list(range(VALUES))
    child.complete()


def test_steps_order_values_before_timestamps(run):
    for step in (3, 1, 2, 0):
        run.log("stepped", step * 10, step=step)
    run.flush()
    assert run.get_metrics()["stepped"] == [0, 10, 20, 30]


def test_mlflow_metric_history_is_in_logged_order(ws):
    mlflow.set_tracking_uri(ws.get_mlflow_tracking_uri())
    try:
        mlflow.set_experiment("mlflow-ordered")
        with mlflow.start_run() as active:
            for k in range(VALUES):
                mlflow.log_metric("loss", k)
            for step in (2, 0, 1):   # steps come first, as Azure orders them
                mlflow.log_metric("accuracy", step / 10, step=step)
        client = mlflow.MlflowClient()
        assert [m.value for m in client.get_metric_history(active.info.run_id, "loss")] == list(range(VALUES))
        history = client.get_metric_history(active.info.run_id, "accuracy")
        assert [(m.step, m.value) for m in history] == [(0, 0.0), (1, 0.1), (2, 0.2)]
    finally:
        mlflow.set_tracking_uri(None)


def test_nan_and_infinite_values_are_logged_and_read_back(run):
    """The SDK sends them as bare NaN and Infinity, which Azure's services read (a diverging loss is
    logged, not refused)."""
    import math
    for value in (1.0, float("nan"), float("inf"), -float("inf")):
        run.log("loss", value)
    run.flush()
    first, nan, inf, minus = run.get_metrics()["loss"]
    assert first == 1.0 and math.isnan(nan) and inf == math.inf and minus == -math.inf
