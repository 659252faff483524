"""One HyperDrive sweep, from submit to its end: the sweep's "service".

Started detached by `sweeps.backend.create`; it samples parameter sets, submits each as a
child script run of the parent (``<parent>_<n>``, the parameters appended to the child's
arguments and recorded in the parent's tags, as Azure does), keeps at most
``max_concurrent_jobs`` children active, applies the early-termination policy to the
primary metric the children log, and ends the parent Completed (Failed when every child
failed, Canceled when asked to stop), writing its progress to ``azureml-logs/hyperdrive.txt``.
"""
from __future__ import annotations

import json
import time

from azureml_emulator.artifacts import backend as artifacts
from azureml_emulator.execution import parent_run
from azureml_emulator.execution.job_contract import JobSettings
from azureml_emulator.ids import ArtifactId, WorkspaceKey
from azureml_emulator.jobs import backend as jobs
from azureml_emulator.metrics import backend as metrics
from azureml_emulator.runs import backend as runs
from azureml_emulator.store import Store
from azureml_emulator.sweeps import policies, sampling
from azureml_emulator.sweeps.backend import SYSTEM_TAG
from azureml_emulator.timestamps import utc_now_iso

LOG = "azureml-logs/hyperdrive.txt"
POLL_SECONDS = 0.5


class Sweep:
    def __init__(self, home: str, workspace: str, run_id: str, environments: str, config: dict) -> None:
        self.store, self.workspace, self.run_id = Store(home, check=False), WorkspaceKey.parse(workspace), run_id
        self.environments, self.config = environments, config
        self.parent = runs.require(self.store, self.workspace, run_id)
        self.container = ArtifactId("ExperimentRun", self.parent["dataContainerId"])
        definition = config["platform_config"]["Definition"]
        self.overrides, self.snapshot_id = definition["Overrides"], definition["SnapshotId"]
        self.metric = config["primary_metric_config"]["name"]
        self.maximize = str(config["primary_metric_config"]["goal"]).lower() == "maximize"
        self.policy = config.get("policy_config") or {"name": "Default"}
        self.total, self.concurrent = int(config["max_total_jobs"]), int(config["max_concurrent_jobs"])
        self.deadline = time.monotonic() + 60 * int(config.get("max_duration_minutes") or 10080)
        self.children: list[str] = []
        self.evaluated: dict[str, int] = {}

    def log(self, component: str, message: str) -> None:
        target = artifacts.artifact_file(self.store.home, self.container.child(LOG))
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(target, "a", encoding="utf-8") as out:
            out.write("[{}][{}][INFO]{}\n".format(utc_now_iso(), component, message))

    def status(self, run_id: str) -> str:
        return runs.refresh(self.store, self.workspace, runs.require(self.store, self.workspace, run_id))["status"]

    def series(self, run_id: str) -> list[float]:
        logged = metrics.full(self.store, self.workspace, run_id, self.metric) or {"value": []}
        values = [row["data"].get(self.metric) for row in logged["value"]]
        return [float(v) for v in values if isinstance(v, (int, float)) and not isinstance(v, bool)]

    def submit(self, index: int, parameters: dict) -> None:
        child_id = "{}_{}".format(self.run_id, index)
        arguments = list(self.overrides.get("arguments") or [])
        for name, value in parameters.items():
            arguments += [name, value]
        configuration = dict(self.overrides, arguments=arguments)
        runs.update(self.store, self.workspace, self.run_id,
                    lambda run: run["tags"].update({SYSTEM_TAG + child_id: json.dumps(parameters)}))
        jobs.submit(self.store, self.workspace, self.parent["experimentName"], child_id,
                    {"Configuration": configuration, "SnapshotId": self.snapshot_id}, self.environments,
                    parent_run_id=self.run_id)
        self.children.append(child_id)
        self.log("SCHEDULER", "Scheduling job, id='{}' with parameters {}".format(child_id, json.dumps(parameters)))

    def apply_policy(self, active: list[str]) -> None:
        all_series = {child: self.series(child) for child in self.children}
        for child in active:
            logged = all_series[child]
            # Every interval the child reached since the last poll, not only the latest one.
            for interval in range(self.evaluated.get(child, 0) + 1, len(logged) + 1):
                self.evaluated[child] = interval
                reason = policies.should_stop(self.policy, self.maximize, child,
                                              dict(all_series, **{child: logged[:interval]}), set(active))
                if reason:
                    jobs.cancel(self.store, self.workspace, child)
                    self.log("CONTROLLER", "Cancelling job {} by the early termination policy. {}".format(
                        child, reason))
                    break

    def cancel_children(self) -> None:
        for child in self.children:
            if self.status(child) not in runs.TERMINAL:
                jobs.cancel(self.store, self.workspace, child)

    def main(self) -> None:
        self.log("GENERATOR", "Sampling up to {} jobs, {} at a time, with {} sampling; policy {}".format(
            self.total, self.concurrent, self.config["generator_config"]["name"], self.policy.get("name")))
        sets = sampling.parameter_sets(self.config["generator_config"], self.total)
        generated_all = False
        while True:
            if self.status(self.run_id) == "CancelRequested" or time.monotonic() > self.deadline:
                canceled = self.status(self.run_id) == "CancelRequested"
                self.cancel_children()
                while any(self.status(child) not in runs.TERMINAL for child in self.children):
                    time.sleep(POLL_SECONDS)
                self.log("CONTROLLER", "Canceled by the user." if canceled else "Reached max_duration_minutes.")
                runs.set_status(self.store, self.workspace, self.run_id, "Canceled" if canceled else "Completed",
                                unless_terminal=False)
                return
            active = [child for child in self.children if self.status(child) not in runs.TERMINAL]
            self.apply_policy(active)
            while not generated_all and len(active) < self.concurrent:
                parameters = next(sets, None)
                if parameters is None:
                    generated_all = True
                    self.log("GENERATOR", "All jobs generated ({}).".format(len(self.children)))
                    break
                self.submit(len(self.children), parameters)
                active.append(self.children[-1])
            if generated_all and not active:
                break
            time.sleep(POLL_SECONDS)
        statuses = [self.status(child) for child in self.children]
        failed = bool(statuses) and all(status == "Failed" for status in statuses)
        self.log("CONTROLLER", "Experiment finished: {}.".format(
            ", ".join("{} {}".format(statuses.count(s), s) for s in sorted(set(statuses)))))
        runs.set_status(self.store, self.workspace, self.run_id, "Failed" if failed else "Completed",
                        runs.run_error("UserError", "Every child run of the sweep failed.") if failed else None)


def _sweep(settings: JobSettings) -> Sweep:
    if settings.config is None:
        raise ValueError("a sweep's supervisor was started without the sweep's configuration")
    return Sweep(settings.home, settings.workspace, settings.run_id, settings.environments, settings.config)


def main() -> None:
    parent_run.supervise("sweep", _sweep)


if __name__ == "__main__":
    main()
