"""HyperDrive sweeps through the SDK's own HyperDriveConfig and HyperDriveRun: child script
runs on the cluster with sampled arguments, the concurrency limit, early termination, the
best run, cancel."""
import json
import time

import pytest
from azureml.core import ScriptRunConfig
from azureml.exceptions import AzureMLException
from azureml.widgets import RunDetails
from azureml.train.hyperdrive import (BanditPolicy, BayesianParameterSampling, GridParameterSampling,
                                      HyperDriveConfig, HyperDriveRun, PrimaryMetricGoal, RandomParameterSampling,
                                      choice, uniform)

from helpers import is_running, job_log

LOGGING = """
import argparse, os, time
from azureml.core import Run
print('PID', os.getpid(), flush=True)
parser = argparse.ArgumentParser()
parser.add_argument('--lr', type=float)
parser.add_argument('--steps', type=int, default=1)
parser.add_argument('--pause', type=float, default=0)
args = parser.parse_args()
run = Run.get_context()
print('LR', args.lr)
for step in range(args.steps):
    run.log('accuracy', 1 - args.lr)
    time.sleep(args.pause)
"""


def sweep(cluster, sampling, policy=None, total=4, concurrent=2, arguments=(), script=LOGGING):
    folder = cluster.work / "sweep"
    folder.mkdir(exist_ok=True)
    (folder / "train.py").write_text(script)
    config = ScriptRunConfig(source_directory=str(folder), script="train.py", arguments=list(arguments),
                             compute_target=cluster.target, environment=cluster.environment)
    return cluster.experiment.submit(HyperDriveConfig(
        run_config=config, hyperparameter_sampling=sampling, policy=policy, primary_metric_name="accuracy",
        primary_metric_goal=PrimaryMetricGoal.MAXIMIZE, max_total_runs=total, max_concurrent_runs=concurrent))


def running_children_pids(parent, count=2):
    """Wait until ``count`` children run and have printed their PID; returns those PIDs."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        logs = [child.get_details_with_logs()["logFiles"].get("user_logs/std_log.txt", "")
                for child in parent.get_children() if child.get_status() == "Running"]
        pids = [int(log.split("PID ")[1].split()[0]) for log in logs if "PID " in log]
        if len(pids) >= count:
            return pids
        time.sleep(0.3)
    raise AssertionError("{} children did not start within 60 s".format(count))


def test_a_random_sweep_runs_its_children_and_finds_the_best(cluster):
    parent = sweep(cluster, RandomParameterSampling({"--lr": uniform(0.0, 0.5)}))
    parent.wait_for_completion()
    assert parent.get_status() == "Completed"
    children = list(parent.get_children())
    assert len(children) == 4 and {child.get_status() for child in children} == {"Completed"}
    parameters = HyperDriveRun(cluster.experiment, parent.id).get_hyperparameters()
    for child in children:   # each child got the parameters the parent recorded for it
        assert "LR {}".format(json.loads(parameters[child.id])["--lr"]) in job_log(child)
    best = parent.get_best_run_by_primary_metric()
    lowest = min(children, key=lambda child: json.loads(parameters[child.id])["--lr"])
    assert best.id == lowest.id
    ranked = parent.get_children_sorted_by_primary_metric()
    assert [entry["best_primary_metric"] for entry in ranked] == sorted(
        (entry["best_primary_metric"] for entry in ranked), reverse=True)
    spans = sorted((c.get_details()["startTimeUtc"], c.get_details()["endTimeUtc"]) for c in children)
    for start, _end in spans:   # never more than max_concurrent_runs at once
        assert sum(1 for s, e in spans if s <= start < e) <= 2


def test_grid_sampling_tries_every_combination_once_and_the_widget_shows_them(cluster):
    parent = sweep(cluster, GridParameterSampling({"--lr": choice(0.1, 0.2), "--steps": choice(1, 2)}), total=10)
    parent.wait_for_completion()
    tried = sorted(tuple(sorted(json.loads(value).items()))
                   for value in HyperDriveRun(cluster.experiment, parent.id).get_hyperparameters().values())
    assert tried == [(("--lr", 0.1), ("--steps", 1)), (("--lr", 0.1), ("--steps", 2)),
                     (("--lr", 0.2), ("--steps", 1)), (("--lr", 0.2), ("--steps", 2))]
    # The run widget shows the parent with each child's parameters and best primary metric.
    data = RunDetails(parent).get_widget_data()
    assert data["status"] == "Completed"
    assert data["run_properties"]["hyper_parameters"] == {"--lr": ["choice", [[0.1, 0.2]]],
                                                          "--steps": ["choice", [[1, 2]]]}
    shown = sorted((child["param_--lr"], child["param_--steps"], child["best_metric"], child["status"])
                   for child in data["child_runs"])
    assert shown == [(0.1, 1, 0.9, "Completed"), (0.1, 2, 0.9, "Completed"),
                     (0.2, 1, 0.8, "Completed"), (0.2, 2, 0.8, "Completed")]


def test_the_bandit_policy_cancels_a_child_far_behind_the_best(cluster):
    parent = sweep(cluster, GridParameterSampling({"--lr": choice(0.1, 0.9)}),
                   policy=BanditPolicy(evaluation_interval=1, slack_factor=0.1), arguments=["--steps", 20,
                                                                                           "--pause", 0.5])
    parent.wait_for_completion()
    parameters = HyperDriveRun(cluster.experiment, parent.id).get_hyperparameters()
    status = {json.loads(parameters[child.id])["--lr"]: child.get_status() for child in parent.get_children()}
    assert status == {0.1: "Completed", 0.9: "Canceled"}
    assert parent.get_status() == "Completed"


def test_cancel_stops_the_sweep_and_its_running_children(cluster):
    parent = sweep(cluster, RandomParameterSampling({"--lr": uniform(0.0, 0.5)}),
                   arguments=["--steps", 1, "--pause", 120])
    pids = running_children_pids(parent)
    parent.cancel()
    parent.wait_for_completion()   # returns at CancelRequested; the sweep then cancels its children
    deadline = time.monotonic() + 60
    while parent.get_status() != "Canceled" and time.monotonic() < deadline:
        time.sleep(0.3)
    assert parent.get_status() == "Canceled"
    assert {child.get_status() for child in parent.get_children()} == {"Canceled"}
    assert not any(is_running(pid) for pid in pids)


def test_bayesian_sampling_says_it_is_not_emulated(cluster):
    with pytest.raises(AzureMLException, match="not emulated by azureml_emulator: Bayesian sampling"):
        sweep(cluster, BayesianParameterSampling({"--lr": uniform(0.0, 0.5)}))


def test_stopping_everything_cancels_a_sweep_and_its_children(cluster):
    from azureml_emulator.tools import housekeeping
    parent = sweep(cluster, RandomParameterSampling({"--lr": uniform(0.0, 0.5)}),
                   arguments=["--steps", 1, "--pause", 120])
    pids = running_children_pids(parent)
    housekeeping.stop_all(cluster.home)
    deadline = time.monotonic() + 30
    while any(c.get_status() not in ("Canceled", "Failed", "Completed") for c in parent.get_children()) \
            and time.monotonic() < deadline:
        time.sleep(0.3)
    assert parent.get_status() == "Canceled"
    assert {child.get_status() for child in parent.get_children()} == {"Canceled"}
    assert not any(is_running(pid) for pid in pids)


def test_a_sweep_run_id_that_would_leave_the_home_is_refused(cluster):
    import requests
    from azureml_emulator.addresses import EMULATOR_BASE_URL
    scope = ("subscriptions%2F{}%2FresourceGroups%2F{}%2Fproviders%2FMicrosoft.MachineLearningServices%2Fworkspaces"
             "%2F{}%2Fexperiments%2Ftests").format(cluster.ws.subscription_id, cluster.ws.resource_group,
                                                   cluster.ws.name)
    answer = requests.post("{}/hyperdrive/v1.0/{}/hdruns/..%2F..%2Fescaped".format(EMULATOR_BASE_URL, scope),
                           files={"config": ("config.json", b"{}")})
    assert answer.status_code == 400
    assert not list(cluster.home.parent.glob("escaped*"))
