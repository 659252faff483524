"""One script run, from Queued to its end: the job's "node".

Started detached by `jobs.backend.submit` or `submit_local` (in the emulator's Python); it
1. waits for a free node of its cluster (Queued; a local run has no queue), then builds or
   reuses the run's Environment (Preparing), streaming the build to
   ``azureml-logs/20_image_build_log.txt``;
2. unpacks the snapshot (a local run uses the SDK's own copy of the source directory
   instead, as Azure does), puts each dataset input in a local folder and puts its path
   where the submitted arguments said ``DatasetConsumptionConfig:<name>``, and each data
   reference's where they said ``$AZUREML_DATAREFERENCE_<name>`` (`data_access.references`), and each
   output dataset's folder where they said ``DatasetOutputConfig:<name>`` (`data_access.outputs`);
3. runs the script in the Environment's build (`job_runtime`), or a command job's command in a
   shell (`job_command`), its output streamed live to ``user_logs/std_log.txt``, serving the
   job's SDK calls through a `job_bridge`;
4. uploads ``./outputs`` and ``./logs``, and the upload outputs' files (Finalizing), and ends
   the run Completed, Failed with Azure's error, or Canceled when asked to stop.
"""
from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import FrameType

import psutil

from azureml_emulator import processes
from azureml_emulator.addresses import EMULATOR_BASE_URL
from azureml_emulator.artifacts import backend as artifacts
from azureml_emulator.compute import backend as compute
from azureml_emulator.context import Emulator
from azureml_emulator.data_access import outputs as data_outputs
from azureml_emulator.data_access import references
from azureml_emulator.data_access.materialize import materialize, single_file
from azureml_emulator.datasets import backend as datasets
from azureml_emulator.environments import builder
from azureml_emulator.errors import BuildError, EmulatorError
from azureml_emulator.execution import dataset_runtime, isolation, job_command, job_contract
from azureml_emulator.execution.job_bridge import Bridge
from azureml_emulator.ids import ArtifactId, WorkspaceKey, safe_name
from azureml_emulator.pipelines import parallel
from azureml_emulator.runs import backend as runs
from azureml_emulator.snapshots import backend as snapshots
from azureml_emulator.store import Store
from azureml_emulator.tokens import unsigned_jwt
from azureml_emulator.tracking import backend as tracking

DATASET_ARGUMENT = "DatasetConsumptionConfig:"
STD_LOG, BUILD_LOG = "user_logs/std_log.txt", "azureml-logs/20_image_build_log.txt"
POLL_SECONDS = 0.2


class JobCanceled(Exception):
    pass


class RunEnded(Exception):
    """The run reached an end state before its job started: the job leaves it as it is."""


def end_descendants(grace_seconds: float = 10.0) -> None:
    """SIGTERM everything this supervisor (a child subreaper) still has below it, the job and
    whatever it started, orphans included; SIGKILL what is left after the grace time."""
    tree = psutil.Process().children(recursive=True)
    for process in tree:
        try:
            process.terminate()
        except psutil.NoSuchProcess:
            pass
    _gone, alive = psutil.wait_procs(tree, timeout=grace_seconds)
    for process in alive:
        try:
            process.kill()
        except psutil.NoSuchProcess:
            pass


class Job:
    def __init__(self, home: str, workspace: str, run_id: str, environments: str, workdir: str | None = None) -> None:
        self.store = Store(home, check=False)
        self.emulator = Emulator(Path(home), self.store, environments)
        self.workspace = WorkspaceKey.parse(workspace)
        self.run_id = run_id
        self.run = runs.require(self.store, self.workspace, run_id)
        self.folder = Path.cwd()
        # A local run works in the SDK's copy of the source directory; a cluster run in its snapshot.
        self.local = workdir is not None
        self.workdir = Path(workdir) if workdir else self.folder / "wd"
        self.container = ArtifactId("ExperimentRun", self.run["dataContainerId"])
        self.command = job_command.command(self.run["runDefinition"])   # None for a script run

    # --- run state --------------------------------------------------------------------

    def status(self) -> str:
        return runs.require(self.store, self.workspace, self.run_id)["status"]

    def check_canceled(self) -> None:
        # run.cancel() of a local run writes the killfile, then posts the Canceled event.
        if self.status() in ("CancelRequested", "Canceled") or (self.workdir / "azureml-setup" / "killfile").exists():
            raise JobCanceled()

    def set_status(self, status: str, error: dict | None = None) -> None:
        runs.set_status(self.store, self.workspace, self.run_id, status, error)

    def log_file(self, path: str) -> Path:
        target = artifacts.artifact_file(self.store.home, self.container.child(path))
        target.parent.mkdir(parents=True, exist_ok=True)
        return target

    def append(self, path: str, text: str) -> None:
        with open(self.log_file(path), "a", encoding="utf-8") as log:
            log.write(text)

    # --- the steps ------------------------------------------------------------------

    def wait_for_node(self) -> None:
        if self.local:
            self.check_canceled()
            self.set_status("Preparing")
            return
        cluster = compute.require(self.store, self.workspace, self.run["target"])
        while True:
            self.check_canceled()
            status = runs.claim_node(self.store, self.workspace, self.run_id, cluster["scaleSettings"]["maxNodeCount"])
            if status == "Preparing":
                return
            if status in runs.TERMINAL:   # ended while queued (failed or canceled elsewhere): nothing to run
                raise RunEnded(status)
            time.sleep(POLL_SECONDS)

    def prepare_environment(self) -> builder.Build:
        definition = self.run["runDefinition"]
        spec = builder.spec_for(definition.get("environment") or {}, self.emulator.environments)
        self.append(BUILD_LOG, "".join(line + "\n" for line in spec.notes))
        docker = (definition.get("docker") or {}).get("useDocker") or ((definition.get("environment") or {})
                                                                      .get("docker") or {}).get("enabled")
        if self.local and docker:
            self.append(BUILD_LOG, "azureml_emulator: docker is enabled for this run; the emulator has no Docker, "
                        "so the job runs in a build of its Environment on this machine instead.\n")
        try:
            build = builder.prepare(spec, self.emulator.environments)
        except BuildError as error:
            self.append(BUILD_LOG, error.report())
            raise
        self.append(BUILD_LOG, "".join(line + "\n" for line in build.lines))
        return build

    def inputs(self) -> tuple[dict[str, str], dict[str, str]]:
        """Each dataset input's local path by name, and the variables a job on Azure gets for them."""
        paths, variables = {}, {}
        for name, data in (self.run["runDefinition"].get("data") or {}).items():
            safe_name(name, "dataset input name")
            dataset = ((data or {}).get("dataLocation") or {}).get("dataset") or {}
            saved = datasets.saved(self.store, self.workspace, dataset.get("id") or "")
            if saved is None and dataset.get("name"):
                record = datasets.latest(self.store, self.workspace, dataset["name"])
                saved = datasets.saved(self.store, self.workspace, record["savedId"]) if record else None
            if saved is None:
                raise EmulatorError("Dataset input {} names dataset {} which does not exist in this workspace"
                                    .format(name, dataset), code="UserError")
            mechanism = (data.get("mechanism") or "mount").lower()
            if mechanism == "direct":   # no files: the job reads the dataset itself (run.input_datasets)
                paths[name] = saved["id"]
                variables.update({name: saved["id"], "AZURE_ML_INPUT_" + name: saved["id"]})
                continue
            try:
                path = materialize(saved["dataflowJson"], self.folder / "data" / name, mechanism)
            except Exception as error:   # the data cannot be read: the run's error, not the emulator's
                raise EmulatorError("Failed to {} dataset input {}: {}".format(
                    mechanism, name, error), code="UserError") from None
            single = single_file(saved["dataflowJson"]) if mechanism == "mount" else None
            if single and ((data.get("options") or {}).get("ForceFolder") != "True") and (path / single).is_file():
                path = path / single   # a mounted one-file dataset is that file, as on Azure
            paths[name] = str(path)
            variables.update({name: str(path), "AZURE_ML_INPUT_" + name: str(path)})
        if paths:
            variables["AZUREML_DATASET_ENVIRONMENT_VARS"] = ",".join(
                "{}:{}".format(n, (self.run["runDefinition"]["data"][n].get("mechanism") or "mount")) for n in paths)
        return paths, variables

    def data_references(self) -> dict[str, str]:
        """Each data reference's local path by name (`data_access.references`)."""
        return references.prepare(self.store, self.workspace, self.run["runDefinition"].get("dataReferences") or {},
                                  self.workdir, self.folder, self.run_id)

    def outputs(self) -> list[data_outputs.Output]:
        """Each output dataset's folder (`data_access.outputs`)."""
        return data_outputs.prepare(self.store, self.workspace, self.run["runDefinition"].get("outputData") or {},
                                    self.run_id, self.workdir, self.folder)

    def arguments(self, paths: dict[str, str], referenced: dict[str, str],
                  outputs: list[data_outputs.Output]) -> list[str]:
        result = []
        for argument in self.run["runDefinition"].get("arguments") or []:
            text = argument if isinstance(argument, str) else json.dumps(argument)
            if text.startswith(DATASET_ARGUMENT):
                text = paths.get(text[len(DATASET_ARGUMENT):], text)
            result.append(data_outputs.argument(references.substitute(text, referenced), outputs))
        return result

    def job_environment(self, build: builder.Build, bridge: Bridge, variables: dict[str, str]) -> dict[str, str]:
        command_runtime = [job_command.RUNTIME_MODULE] if self.command is not None else []
        env = isolation.process_environment(build, self.folder, [job_contract.ENTRY_MODULE, *command_runtime,
                                                                 *parallel.entry_modules(self.run)])
        configuration = self.run["runDefinition"]
        env.update({k: str(v) for k, v in ((configuration.get("environment") or {}).get("environmentVariables")
                                           or {}).items()})
        env.update({k: str(v) for k, v in (configuration.get("environmentVariables") or {}).items()})
        experiment = runs.get_experiment(self.store, self.workspace, self.run["experimentName"]) or {}
        token = unsigned_jwt({"runId": self.run_id})
        home = self.folder / "home"
        home.mkdir(exist_ok=True)
        env.update({
            "AZUREML_ARM_SUBSCRIPTION": self.workspace.subscription_id,
            "AZUREML_ARM_RESOURCEGROUP": self.workspace.resource_group,
            "AZUREML_ARM_WORKSPACE_NAME": self.workspace.name,
            "AZUREML_ARM_PROJECT_NAME": self.run["experimentName"],
            "AZUREML_EXPERIMENT_ID": experiment.get("experimentId", ""),
            "AZUREML_RUN_ID": self.run_id,
            "AZUREML_RUN_TOKEN": token,
            "AZUREML_SERVICE_ENDPOINT": EMULATOR_BASE_URL,
            "AZUREML_DISCOVERY_SERVICE_ENDPOINT": EMULATOR_BASE_URL + "/discovery",
            "HBI_WORKSPACE_JOB": "true",   # no telemetry uploads from the job
            # As Azure sets them in a job: MLflow logs to the workspace, into this very run.
            "MLFLOW_TRACKING_URI": tracking.tracking_uri(self.workspace) + "?",
            "MLFLOW_RUN_ID": self.run_id,
            "MLFLOW_TRACKING_TOKEN": token,
            "MLFLOW_EXPERIMENT_ID": experiment.get("experimentId", ""),
            "MLFLOW_EXPERIMENT_NAME": self.run["experimentName"],
            # The cloud by name, so azureml-mlflow does not look its endpoints up on management.azure.com
            # (refused offline, with a misleading "unable to load cloud metadata" error in the log).
            "AZUREML_CURRENT_CLOUD": "AzureCloud",
            "HOME": str(home),
            "PYTHONUNBUFFERED": "1",
            job_contract.BRIDGE: bridge.url,
            job_contract.SECRET: bridge.secret,
            job_contract.ERROR_FILE: str(self.folder / "error.txt"),
        })
        env.update(variables)
        return env

    def execute(self, build: builder.Build) -> int:
        workdir = self.workdir
        if not self.local:
            snapshots.materialize(self.store, self.workspace, self.run["properties"]["ContentSnapshotId"], workdir)
        problem = dataset_runtime.missing(build, self.run["runDefinition"].get("data") or {})
        if problem is not None:   # the SDK's dataset context manager fails so in the job, before the script
            self.append(STD_LOG, "ImportError: {}\n".format(problem))
            raise EmulatorError(problem, code="UserError")
        paths, variables = self.inputs()
        referenced = self.data_references()
        variables.update({references.VARIABLE + name: path for name, path in referenced.items()})
        outputs = self.outputs()
        variables.update(data_outputs.variables(outputs))
        if (self.run.get("properties") or {}).get("azureml.runsource") == "azureml.StepRun":
            # a step's outputs are data references on Azure, its upload outputs too
            variables.update({references.VARIABLE + output.name: str(output.path) for output in outputs})
        variables.update(parallel.prepare_job(self.run, workdir))   # a ParallelRunStep's driver
        command = self.command
        bridge = Bridge(self.emulator)
        try:
            env = self.job_environment(build, bridge, variables)
            if command is None:
                argv = [build.python, "-m", job_contract.ENTRY_MODULE, self.run["runDefinition"]["script"],
                        *self.arguments(paths, referenced, outputs)]
            else:   # a command job: the command in a shell, whose Python processes find the run
                argv = [job_command.shell(), "-c", job_command.substitute(command, paths, referenced, outputs)]
                env = job_command.environment(env, build.python, self.folder)
            self.check_canceled()
            self.set_status("Running")
            if not build.isolated:
                self.append(STD_LOG, "azureml_emulator WARNING: {}: this job runs in the kernel's own Python and "
                            "packages, not in a build of its Environment.\n".format(" ".join(build.lines)))
            with open(self.log_file(STD_LOG), "ab") as log:
                job = subprocess.Popen(argv, cwd=workdir, env=env, stdout=log, stderr=subprocess.STDOUT,
                                       stdin=subprocess.DEVNULL)
                code = self.watch(job)
        finally:
            bridge.stop()
        self.set_status("Finalizing")
        data_outputs.upload(outputs)
        for folder in ("outputs", "logs"):
            root = workdir / folder
            for file in sorted(p for p in root.rglob("*") if p.is_file()) if root.is_dir() else []:
                artifacts.store_file(self.store.home, self.container.child(file.relative_to(workdir).as_posix()), file)
        return code

    def watch(self, job: subprocess.Popen) -> int:
        while job.poll() is None:
            try:
                self.check_canceled()
            except JobCanceled:
                end_descendants()
                job.wait()
                raise
            time.sleep(POLL_SECONDS)
        end_descendants()   # what the script started and left running ends with the job, as with its node
        return job.returncode

    def main(self) -> None:
        try:
            self.wait_for_node()
            build = self.prepare_environment()
            self.check_canceled()
            code = self.execute(build)
        except RunEnded:
            return
        except JobCanceled:
            self.append(STD_LOG, "\nThe run was canceled.\n")
            runs.set_status(self.store, self.workspace, self.run_id, "Canceled")
            return
        except BuildError as error:
            self.set_status("Failed", runs.run_error("UserError", "Failed to build the run's Environment: {} See {} "
                                                     "for the installer's output.".format(error.message, BUILD_LOG)))
            return
        except EmulatorError as error:
            self.set_status("Failed", runs.run_error("UserError", error.message))
            return
        if code == 0:
            self.set_status("Completed")
            return
        if self.command is not None:
            self.set_status("Failed", runs.run_error("UserError", job_command.failure(job_command.shell(), code,
                                                                                      STD_LOG)))
            return
        error_file = self.folder / "error.txt"
        detail = error_file.read_text(errors="replace") if error_file.is_file() else ""
        self.set_status("Failed", runs.run_error("UserError", (
            "Execution failed. User process 'python' exited with status code {}. Please check log file '{}' for "
            "error details. Error: {}".format(code, STD_LOG, detail)).rstrip()))


def main() -> None:
    processes.become_subreaper()

    def on_term(signum: int, frame: FrameType | None) -> None:
        end_descendants(grace_seconds=5)
        sys.exit(143)

    signal.signal(signal.SIGTERM, on_term)
    settings = job_contract.JobSettings.from_env()
    try:
        Job(settings.home, settings.workspace, settings.run_id, settings.environments, settings.workdir).main()
    except SystemExit as stopped:   # SIGTERM (reset, stop_all): the run was canceled, not failed
        runs.set_status(Store(settings.home, check=False), WorkspaceKey.parse(settings.workspace), settings.run_id,
                        "Canceled")
        raise stopped
    except BaseException as error:   # a bug here must still end the run, with the reason
        import traceback
        traceback.print_exc()
        runs.set_status(Store(settings.home, check=False), WorkspaceKey.parse(settings.workspace), settings.run_id,
                        "Failed", runs.run_error("ServiceError", "azureml_emulator job supervisor failed: {}: {}"
                                                 .format(type(error).__name__, error)))
        sys.exit(1)


if __name__ == "__main__":
    main()
