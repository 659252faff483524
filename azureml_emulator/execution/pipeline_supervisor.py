"""One pipeline run, from submit to its end: the pipeline service's orchestrator.

Started detached by `pipelines.backend.submit`, as a sweep's supervisor is. It walks the
graph: a step starts when every step it depends on (through data, or `run_after` and
StepSequence's sequencing ports) has finished; each step is a script run of the pipeline
run (``azureml.StepRun``) through the job machinery script runs use (its job queues for a
node of its cluster, so independent steps run at once up to the cluster's size), or, when
Azure would reuse an earlier run of the same step (`pipelines.steps`: same module, parameters,
run configuration and input data, and ``allow_reuse``), a reused step run that points at it.

A failed step fails the pipeline: the steps still running are canceled and no other step
starts, unless ``continue_on_step_failure``, when only the steps that depend on it are
left out. Progress goes to the pipeline run's ``logs/azureml/executionlogs.txt``.
"""
from __future__ import annotations

import time
import uuid

from azureml_emulator.artifacts import backend as artifacts
from azureml_emulator.datasets import backend as datasets
from azureml_emulator.errors import EmulatorError
from azureml_emulator.execution import parent_run
from azureml_emulator.ids import ArtifactId, WorkspaceKey
from azureml_emulator.jobs import backend as jobs
from azureml_emulator.pipelines import backend, data_paths, entities, hyperdrive_steps, steps
from azureml_emulator.pipelines import registration as registrations
from azureml_emulator.pipelines.entities import DATASOURCE, MODULE, PIPELINE_RUN
from azureml_emulator.runs import backend as runs
from azureml_emulator.sweeps import backend as sweeps
from azureml_emulator.store import Store
from azureml_emulator.timestamps import iso

LOG = "logs/azureml/executionlogs.txt"
POLL_SECONDS = 0.3
FAILED_CODE, FINISHED_CODE = "3", "4"   # the SDK's step status codes (`pipelines.backend.STEP_CODES`)


class Orchestrator:
    def __init__(self, home: str, workspace: str, run_id: str, environments: str) -> None:
        self.store, self.workspace, self.run_id = Store(home, check=False), WorkspaceKey.parse(workspace), run_id
        self.environments = environments
        self.entity = entities.require(self.store, self.workspace, PIPELINE_RUN, run_id)
        self.experiment = self.entity["RunHistoryExperimentName"]
        graph = backend.get_graph(self.store, self.workspace, self.entity["GraphId"])
        self.nodes = {node["Id"]: node for node in graph.get("ModuleNodes") or []}
        self.dataset_nodes = {node["Id"]: node for node in graph.get("DatasetNodes") or []}
        self.dataset_defaults = data_paths.dataset_defaults(graph)
        self.edges = graph.get("Edges") or []
        self.modules = {node_id: entities.require(self.store, self.workspace, MODULE, node["ModuleId"])
                        for node_id, node in self.nodes.items()}
        self.parameters = backend.pipeline_parameters(self.store, self.workspace, self.entity)
        self.keep_going = bool(self.entity["_continue"])
        self.container = ArtifactId("ExperimentRun", runs.require(self.store, self.workspace, run_id)["dataContainerId"])
        self.started: dict[str, str] = {}       # node -> the step run that carries it
        self.outcome: dict[str, str] = {}       # node -> Completed, Failed, Canceled or Skipped
        self.outputs: dict[str, dict[str, steps.Location]] = {}
        self.writer: dict[str, str] = {}        # node -> the run whose outputs it has (the reused one's)
        self.registrations: dict[str, dict[str, dict]] = {}   # node -> output -> dataset to register on completion
        self.errors: list[str] = []
        self.sweeps: dict[str, str] = {}        # a HyperDriveStep's step run -> its HyperDrive run

    # --- bookkeeping ---------------------------------------------------------------

    def log(self, message: str) -> None:
        target = artifacts.artifact_file(self.store.home, self.container.child(LOG))
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(target, "a", encoding="utf-8") as out:
            out.write("[{}] {}\n".format(iso(time.time()), message))

    def status(self, run_id: str) -> str:
        status = runs.refresh(self.store, self.workspace, runs.require(self.store, self.workspace, run_id))["status"]
        sweep_id = self.sweeps.get(run_id)
        if sweep_id is not None and status not in runs.TERMINAL:   # a HyperDriveStep ends with its sweep
            sweep = runs.refresh(self.store, self.workspace, runs.require(self.store, self.workspace, sweep_id))
            if sweep["status"] in runs.TERMINAL:
                status = runs.set_status(self.store, self.workspace, run_id, sweep["status"], sweep.get("error"),
                                         unless_terminal=False)["status"]
        return status

    def name(self, node_id: str) -> str:
        return self.modules[node_id].get("Name") or node_id

    def upstream(self, node_id: str) -> list[tuple[str, str, str]]:
        """(input port, source node, source port) of each edge into the node."""
        return [(edge["DestinationInputPort"].get("PortName"), edge["SourceOutputPort"].get("NodeId"),
                 edge["SourceOutputPort"].get("PortName"))
                for edge in self.edges if (edge.get("DestinationInputPort") or {}).get("NodeId") == node_id]

    def dependencies(self, node_id: str) -> set[str]:
        return {source for _port, source, _out in self.upstream(node_id) if source in self.nodes}

    # --- starting a step -----------------------------------------------------------

    def inputs(self, node_id: str) -> dict[str, tuple[steps.Location, str]]:
        found = {}
        for port, source, source_port in self.upstream(node_id):
            if steps.is_sequencing(port) or steps.is_sequencing(source_port):
                continue
            if source in self.nodes:
                location = self.outputs[source][source_port]
                found[port] = (location, "run:{}/{}".format(self.writer[source], source_port))
                continue
            dataset = self.dataset_nodes.get(source) or {}
            if dataset.get("DataSetDefinition"):
                found[port] = self.dataset_input(dataset["DataSetDefinition"], port, node_id)
                continue
            if dataset.get("DataPathParameterName"):
                found[port] = self.data_path_input(dataset["DataPathParameterName"], port, node_id)
                continue
            if not dataset.get("DatasetId"):
                raise EmulatorError("not emulated by azureml_emulator: step inputs other than a step's output or a "
                                    "datastore path (input {} of step {})".format(port, self.name(node_id)),
                                    code="UserError")
            source_entity = entities.require(self.store, self.workspace, DATASOURCE, dataset["DatasetId"])
            blob = ((source_entity.get("DataLocation") or {}).get("DataReference") or {}).get("AzureBlobReference") or {}
            found[port] = (steps.Location(blob.get("AmlDataStoreName") or "", blob.get("RelativePath") or ""),
                           "datasource:{}".format(source_entity["Id"]))
        return found

    def data_path_input(self, name: str, port: str, node_id: str) -> tuple[steps.Location, str]:
        """A DataPath pipeline parameter's datastore path (the run's value, or the graph's default)."""
        value = (self.entity.get("_data_paths") or {}).get(name)
        if value is None:
            raise EmulatorError("Input {} of step {} names the DataPath parameter {!r}, which the pipeline does not "
                                "have".format(port, self.name(node_id), name), code="UserError")
        location = steps.Location(value["DataStoreName"], value["RelativePath"])
        return location, "datapath:{}/{}".format(location.datastore, location.path)

    def dataset_input(self, definition: dict, port: str, node_id: str) -> tuple[steps.Location, str]:
        """A registered dataset (by id and version) or a saved one (by id), as a step's dataset input."""
        value = definition.get("Value") or {}
        if definition.get("ParameterName"):   # a dataset parameter: the value submitted, else its default
            value = (self.entity.get("DataSetDefinitionValueAssignments") or {}).get(
                definition["ParameterName"]) or value or self.dataset_defaults.get(definition["ParameterName"]) or {}
        registered, saved = value.get("DataSetReference"), value.get("SavedDataSetReference")
        if registered and registered.get("Id"):
            version = registered.get("Version")
            record = datasets.by_dataset_id(self.store, self.workspace, registered["Id"],
                                            int(version) if str(version or "").isdigit() else None)
            if record is None:
                raise EmulatorError("Dataset {} version {} (input {} of step {}) does not exist in this workspace"
                                    .format(registered["Id"], version, port, self.name(node_id)), code="UserError")
            reference = {"id": record["savedId"], "name": record["name"], "version": record["version"]}
        elif saved and saved.get("Id"):
            reference = {"id": saved["Id"], "name": None, "version": None}
        else:
            raise EmulatorError("not emulated by azureml_emulator: dataset inputs other than a registered or saved "
                                "dataset (input {} of step {})".format(port, self.name(node_id)), code="UserError")
        return steps.Location("", "", "AzureMLDataset", dataset=reference), "dataset:{}".format(reference["id"])

    def earlier_run(self, reuse_key: str) -> dict | None:
        """The latest finished run of a node with this reuse key in another pipeline run."""
        candidates = []
        for other in entities.all_of(self.store, self.workspace, PIPELINE_RUN):
            if other["Id"] == self.run_id:
                continue
            for node_id, node in (other.get("_nodes") or {}).items():
                if node.get("ReuseKey") != reuse_key or node.get("Outputs") is None:
                    continue
                original = node.get("Original") or {"RunId": node.get("RunId"), "NodeId": node_id,
                                                     "PipelineRunId": other["Id"]}
                if original.get("RunId") and (runs.get(self.store, self.workspace, original["RunId"]) or {}).get(
                        "status") == "Completed":
                    candidates.append((other["CreatedDate"], original, node["Outputs"]))
        if not candidates:
            return None
        _created, original, outputs = max(candidates, key=lambda c: c[0])
        return {"original": original, "outputs": outputs}

    def step_fields(self, node_id: str, definition: steps.StepDefinition, run_type: str) -> dict:
        name = self.name(node_id)
        module = self.modules[node_id]
        return {"runType": run_type, "name": name, "displayName": name,
                "tags": {"azureml.nodeid": node_id, "azureml.pipeline": self.run_id},
                "properties": {"azureml.runsource": "azureml.StepRun", "azureml.nodeid": node_id,
                               "azureml.pipelinerunid": self.run_id, "azureml.pipeline": self.run_id,
                               "azureml.moduleid": module["Id"], "azureml.moduleName": name,
                               "StepType": definition.step_type}}

    def reuse(self, node_id: str, definition: steps.StepDefinition, earlier: dict) -> None:
        original = earlier["original"]
        reused = runs.require(self.store, self.workspace, original["RunId"])
        run_id = str(uuid.uuid4())
        fields = self.step_fields(node_id, definition, "azureml.ReusedStepRun")
        reuse_tags = {"azureml.reusedrunid": original["RunId"], "azureml.reusednodeid": original["NodeId"],
                      "azureml.reusedpipeline": original["PipelineRunId"]}
        fields["tags"].update(reuse_tags)
        fields["properties"].update(reuse_tags)
        fields.update(parentRunId=self.run_id, target=reused.get("target"), status="Completed",
                      startTimeUtc=reused.get("startTimeUtc"), endTimeUtc=reused.get("endTimeUtc"))
        runs.create_run(self.store, self.workspace, self.experiment, run_id, fields)
        outputs = {name: steps.Location(o["DataStoreName"], o["PathOnDataStore"], o.get("DataTypeId") or "AnyFile")
                   for name, o in earlier["outputs"].items()}
        self.outputs[node_id], self.writer[node_id] = outputs, original["RunId"]
        self.started[node_id], self.outcome[node_id] = run_id, "Completed"
        backend.record_node(self.store, self.workspace, self.run_id, node_id, RunId=original["RunId"],
                            StatusCode=FINISHED_CODE, ReuseKey=definition.reuse_key, Original=original,
                            Outputs=earlier["outputs"], ReuseInfo={
                                "ExperimentId": reused.get("experimentId"), "NodeId": original["NodeId"],
                                "RunId": original["RunId"], "RequestId": None,
                                "NodeStartTime": reused.get("startTimeUtc"), "NodeEndTime": reused.get("endTimeUtc")})
        self.log("Reusing run {} for step {} ({}): its inputs, parameters and code are unchanged.".format(
            original["RunId"], self.name(node_id), node_id))

    def start_sweep(self, node_id: str, step_run_id: str) -> None:
        """A HyperDriveStep (`pipelines.hyperdrive_steps`), never reused: as on Azure, its step run has one
        child, the HyperDrive run, whose end is the step's (`status`)."""
        node, module = self.nodes[node_id], self.modules[node_id]
        config = hyperdrive_steps.sweep_config(node, module, self.parameters, bool(self.inputs(node_id)))
        definition = steps.StepDefinition({}, config["platform_config"]["Definition"].get("SnapshotId"), {}, "",
                                          hyperdrive_steps.STEP_TYPE)
        fields = self.step_fields(node_id, definition, "azureml.StepRun")
        runs.create_run(self.store, self.workspace, self.experiment, step_run_id,
                        dict(fields, parentRunId=self.run_id, target=config["platform_config"]["Definition"].get(
                            "Overrides", {}).get("target")))
        runs.set_status(self.store, self.workspace, step_run_id, "Running")
        sweep_id = "HD_" + str(uuid.uuid4())
        self.sweeps[step_run_id] = sweep_id
        sweeps.create(self.store, self.workspace, self.experiment, config, self.environments, run_id=sweep_id,
                      fields={"parentRunId": step_run_id})
        self.outputs[node_id], self.writer[node_id], self.started[node_id] = {}, step_run_id, step_run_id
        backend.record_node(self.store, self.workspace, self.run_id, node_id, RunId=step_run_id, Outputs={})
        self.log("Submitting HyperDrive run {} for step {} ({}).".format(sweep_id, self.name(node_id), node_id))

    def start(self, node_id: str) -> None:
        node, module = self.nodes[node_id], self.modules[node_id]
        step_run_id = str(uuid.uuid4())
        try:
            if hyperdrive_steps.is_hyperdrive(module):
                self.start_sweep(node_id, step_run_id)
                return
            definition = steps.define(node, module, self.parameters, self.inputs(node_id), step_run_id)
            earlier = None
            if module.get("IsDeterministic") and not node.get("RegenerateOutput"):
                earlier = self.earlier_run(definition.reuse_key)
            if earlier is not None:
                self.reuse(node_id, definition, earlier)
                return
            jobs.submit(self.store, self.workspace, self.experiment, step_run_id,
                        {"Configuration": definition.configuration, "SnapshotId": definition.snapshot_id},
                        self.environments, parent_run_id=self.run_id,
                        fields=self.step_fields(node_id, definition, "azureml.StepRun"))
        except EmulatorError as error:
            self.outcome[node_id] = "Failed"
            self.errors.append("Step {} could not start: {}".format(self.name(node_id), error.message))
            backend.record_node(self.store, self.workspace, self.run_id, node_id, StatusCode=FAILED_CODE)
            self.log("Step {} ({}) could not start: {}".format(self.name(node_id), node_id, error.message))
            return
        self.outputs[node_id] = definition.outputs
        self.registrations[node_id] = definition.registrations
        self.writer[node_id] = step_run_id
        self.started[node_id] = step_run_id
        backend.record_node(self.store, self.workspace, self.run_id, node_id, RunId=step_run_id,
                            ReuseKey=definition.reuse_key,
                            Outputs={name: location.to_json() for name, location in definition.outputs.items()})
        self.log("Submitting 1 runs, first five are: {}:{}".format(node_id, step_run_id))

    # --- the loop -------------------------------------------------------------------

    def active(self) -> list[str]:
        return [node for node, run_id in self.started.items() if node not in self.outcome]

    def cancel_children(self) -> None:
        for node in self.active():
            if self.status(self.started[node]) not in runs.TERMINAL:
                jobs.cancel(self.store, self.workspace, self.sweeps.get(self.started[node], self.started[node]))
                if self.started[node] in self.sweeps:   # the sweep ends its children; the step run ends now
                    runs.set_status(self.store, self.workspace, self.started[node], "Canceled")

    def wait_for_steps(self) -> None:
        while any(self.status(self.started[node]) not in runs.TERMINAL for node in self.active()):
            time.sleep(POLL_SECONDS)
        self.collect()

    def collect(self) -> None:
        for node in self.active():
            status = self.status(self.started[node])
            if status in runs.TERMINAL:
                if status == "Completed":
                    status = self.register_outputs(node)
                self.outcome[node] = status
                self.log("Completing processing run id {}.".format(self.started[node]))
                if status == "Failed":
                    error = (runs.require(self.store, self.workspace, self.started[node]).get("error") or {})
                    self.errors.append("Step {} failed: {}".format(
                        self.name(node), (error.get("error") or {}).get("message", "")))

    def register_outputs(self, node: str) -> str:
        """Register the completed step's outputs that ask for it as datasets; Failed if one cannot be."""
        for output, registration in (self.registrations.get(node) or {}).items():
            location = self.outputs[node][output]
            where = "output {} of step {}".format(output, self.name(node))
            try:
                record = registrations.register(self.store, self.workspace, registration, location.datastore,
                                                location.path, where)
            except Exception as error:   # the dataset library's own errors too: the step fails with its text
                message = error.message if isinstance(error, EmulatorError) else "{}: {}".format(
                    type(error).__name__, error)
                self.errors.append("Step {}: registering {} as dataset {} failed: {}".format(
                    self.name(node), output, registration.get("Name"), message))
                self.log(self.errors[-1])
                return "Failed"
            self.log("Registered {} as dataset {} version {}.".format(where, record["name"],
                                                                      record["latest"]["versionId"]))
        return "Completed"

    def main(self) -> None:
        runs.set_status(self.store, self.workspace, self.run_id, "Running")
        self.log("Running the pipeline's {} steps.".format(len(self.nodes)))
        while True:
            if self.status(self.run_id) == "CancelRequested":
                self.cancel_children()
                self.wait_for_steps()
                self.log("Canceled by the user.")
                runs.set_status(self.store, self.workspace, self.run_id, "Canceled", unless_terminal=False)
                return
            self.collect()
            failed = [node for node, outcome in self.outcome.items() if outcome in ("Failed", "Canceled")]
            if failed and not self.keep_going:
                self.cancel_children()
                self.wait_for_steps()
                break
            for node_id in self.nodes:
                if node_id in self.started or node_id in self.outcome:
                    continue
                needs = self.dependencies(node_id)
                if any(self.outcome.get(dependency) in ("Failed", "Canceled", "Skipped") for dependency in needs):
                    self.outcome[node_id] = "Skipped"
                    self.log("Step {} does not run: a step it depends on did not finish.".format(self.name(node_id)))
                elif all(self.outcome.get(dependency) == "Completed" for dependency in needs):
                    self.start(node_id)
            if len(self.outcome) == len(self.nodes):
                break
            time.sleep(POLL_SECONDS)
        failed = [self.name(node) for node, outcome in self.outcome.items() if outcome in ("Failed", "Canceled")]
        if failed:
            self.log("Finishing experiment: {} failed.".format(", ".join(failed)))
            runs.set_status(self.store, self.workspace, self.run_id, "Failed", runs.run_error(
                "UserError", "Pipeline has failed child jobs. Failed nodes: {}. {}".format(
                    ", ".join("/" + name for name in failed), " ".join(self.errors)).strip()))
            return
        self.log("Finishing experiment: no runs left and nothing to schedule.")
        runs.set_status(self.store, self.workspace, self.run_id, "Completed")


def main() -> None:
    parent_run.supervise("pipeline", lambda settings: Orchestrator(
        settings.home, settings.workspace, settings.run_id, settings.environments))


if __name__ == "__main__":
    main()
