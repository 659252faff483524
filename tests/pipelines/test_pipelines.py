"""Pipelines through the SDK's own Pipeline, PythonScriptStep, PipelineData, PipelineParameter,
PipelineRun and StepRun: every step a real script run on the emulated cluster, in the
Environment build the script-run tests use."""
import re
import time

import pytest
from azureml.core import Experiment, Run
from azureml.core.authentication import InteractiveLoginAuthentication
from azureml.core.runconfig import RunConfiguration
from azureml.exceptions import ActivityFailedException
from azureml.pipeline.core import Pipeline, PipelineData, PipelineParameter, StepSequence
from azureml.pipeline.core.run import PipelineRun, StepRun
from azureml.pipeline.steps import PythonScriptStep
from azureml.widgets import RunDetails

from helpers import job_log

WRITE = """
import argparse, os
from azureml.core import Run
parser = argparse.ArgumentParser()
parser.add_argument('--out')
parser.add_argument('--greeting')
args = parser.parse_args()
run = Run.get_context()
print('STEP RUN', run.id, 'PARENT', run.parent.id)
run.log('written', 1)
os.makedirs(args.out, exist_ok=True)
with open(os.path.join(args.out, 'message.txt'), 'w') as out:
    out.write('hello ' + args.greeting)
"""

READ = """
import os, sys
print('READ', open(os.path.join(sys.argv[1], 'message.txt')).read())
"""


def script_folder(cluster, name="steps", **scripts):
    folder = cluster.work / name
    folder.mkdir(exist_ok=True)
    for file_name, text in scripts.items():
        (folder / (file_name + ".py")).write_text(text)
    return str(folder)


def runconfig(cluster):
    config = RunConfiguration()
    config.environment = cluster.environment
    return config


def step(cluster, script, folder, name=None, **kwargs):
    return PythonScriptStep(script_name=script + ".py", name=name or script, source_directory=folder,
                            compute_target=cluster.target, runconfig=runconfig(cluster), **kwargs)


def write_read_pipeline(cluster, allow_reuse=True):
    folder = script_folder(cluster, write=WRITE, read=READ)
    data = PipelineData("message", datastore=cluster.ws.get_default_datastore())
    greeting = PipelineParameter("greeting", default_value="world")
    write = step(cluster, "write", folder, arguments=["--out", data, "--greeting", greeting], outputs=[data],
                 allow_reuse=allow_reuse)
    read = step(cluster, "read", folder, arguments=[data], inputs=[data], allow_reuse=allow_reuse)
    return Pipeline(cluster.ws, steps=[read, write])   # the graph, not the list, orders them


def test_steps_pass_pipeline_data_and_parameters_and_are_real_step_runs(cluster, capsys):
    pipeline = write_read_pipeline(cluster)
    assert pipeline.validate() == []
    run = cluster.experiment.submit(pipeline, pipeline_parameters={"greeting": "there"})
    assert isinstance(run, PipelineRun)
    assert run.wait_for_completion(show_output=True) == "Finished"
    printed = capsys.readouterr().out
    assert "PipelineRun Status: Running" in printed and "PipelineRun Status: Finished" in printed
    # The SDK streams each step it finds among the run's children once a second while the pipeline
    # runs; a last step that starts and ends within one of those seconds is not streamed (on Azure
    # too, where no step is that quick), so only the first step's lines are certain here.
    assert "StepRun( write ) Status: Finished" in printed
    assert run.get_status() == "Finished"
    assert Run.get(cluster.ws, run.id).get_details()["status"] == "Completed"   # run history's word for it

    steps = {s.name: s for s in run.get_steps()}
    assert set(steps) == {"write", "read"} and all(isinstance(s, StepRun) for s in steps.values())
    write, read = steps["write"], steps["read"]
    assert [s.id for s in run.find_step_run("read")] == [read.id]
    assert write.get_status() == read.get_status() == "Finished"
    assert write.parent.id == read.parent.id == run.id
    assert "STEP RUN {} PARENT {}".format(write.id, run.id) in job_log(write)   # Run.get_context() is the step run
    assert write.get_metrics() == {"written": 1}
    assert "READ hello there" in job_log(read)
    assert "READ hello there" in read.get_stdout_log()
    # the data went through the workspace's default datastore, at Azure's place for it
    assert re.search(r"READ hello there", read.get_details_with_logs()["logFiles"]["STDOUT"])
    assert "azureml/{}/message".format(write.id) in read.get_details()["runDefinition"]["dataReferences"]["message"][
        "pathOnDataStore"]
    assert write.get_details()["endTimeUtc"] <= read.get_details()["startTimeUtc"]
    widget = RunDetails(run).get_widget_data()   # the run widget renders the pipeline offline
    assert widget["status"] == "Completed"
    assert sorted((child["name"], child["status"]) for child in widget["child_runs"]) == [
        ("read", "Finished"), ("write", "Finished")]


def test_pipeline_submit_uses_the_parameter_defaults_and_names_its_experiment(cluster):
    run = write_read_pipeline(cluster).submit("defaults")
    run.wait_for_completion(show_output=False)
    assert run.experiment.name == "defaults"
    read = run.find_step_run("read")[0]
    assert "READ hello world" in job_log(read)
    assert run.get_properties()["azureml.parameters"] == '{"greeting": "world"}'


def test_an_unknown_pipeline_parameter_is_refused_before_anything_runs(cluster):
    with pytest.raises(Exception, match="greetings"):
        cluster.experiment.submit(write_read_pipeline(cluster), pipeline_parameters={"greetings": "x"})


TIMED = """
import sys, time
print('START', time.time(), flush=True)
time.sleep(float(sys.argv[1]))
print('END', time.time(), flush=True)
"""


def span(step_run):
    log = job_log(step_run)
    return float(log.split("START ")[1].split()[0]), float(log.split("END ")[1].split()[0])


def test_independent_steps_run_at_once_up_to_the_cluster_size_and_run_after_orders_them(cluster):
    folder = script_folder(cluster, timed=TIMED)
    first, second, third = (step(cluster, "timed", folder, name=name, arguments=["1.5"], allow_reuse=False)
                            for name in ("first", "second", "third"))
    last = step(cluster, "timed", folder, name="last", arguments=["0"], allow_reuse=False)
    last.run_after(first)
    last.run_after(second)
    last.run_after(third)
    run = cluster.experiment.submit(Pipeline(cluster.ws, steps=[first, second, third, last]))
    assert run.wait_for_completion(show_output=False) == "Finished"
    spans = {s.name: span(s) for s in run.get_steps()}
    starts = sorted(spans[name][0] for name in ("first", "second", "third"))
    ends = sorted(spans[name][1] for name in ("first", "second", "third"))
    assert starts[1] < ends[0]            # two ran at once...
    assert starts[2] >= ends[0] - 0.05    # ...but never three: the cluster has two nodes
    assert spans["last"][0] >= max(ends)  # run_after: it waits for all three


def test_a_step_sequence_runs_its_steps_one_after_the_other(cluster):
    folder = script_folder(cluster, timed=TIMED)
    steps = [step(cluster, "timed", folder, name=name, arguments=["0.2"], allow_reuse=False)
             for name in ("one", "two")]
    run = cluster.experiment.submit(Pipeline(cluster.ws, steps=StepSequence(steps=steps)))
    run.wait_for_completion(show_output=False)
    spans = {s.name: span(s) for s in run.get_steps()}
    assert spans["one"][1] <= spans["two"][0]


FAIL = "raise ValueError('bad input data')\n"
OK = "print('fine')\n"


def test_a_failing_step_fails_the_pipeline_and_the_steps_after_it_do_not_run(cluster):
    folder = script_folder(cluster, fail=FAIL, read=READ)
    data = PipelineData("message", datastore=cluster.ws.get_default_datastore())
    failing = step(cluster, "fail", folder, arguments=[data], outputs=[data])
    after = step(cluster, "read", folder, arguments=[data], inputs=[data])
    run = cluster.experiment.submit(Pipeline(cluster.ws, steps=[failing, after]))
    with pytest.raises(ActivityFailedException) as raised:
        run.wait_for_completion(show_output=False)
    assert "Failed nodes: /fail" in raised.value.message and "bad input data" in raised.value.message
    assert run.get_status() == "Failed"
    assert [s.name for s in run.get_steps()] == ["fail"]
    assert run.find_step_run("fail")[0].get_status() == "Failed"
    assert run.get_details()["error"]["error"]["code"] == "UserError"


def test_continue_on_step_failure_runs_the_steps_that_do_not_depend_on_the_failed_one(cluster):
    folder = script_folder(cluster, fail=FAIL, ok=OK, read=READ)
    data = PipelineData("message", datastore=cluster.ws.get_default_datastore())
    failing = step(cluster, "fail", folder, arguments=[data], outputs=[data])
    after = step(cluster, "read", folder, arguments=[data], inputs=[data])
    independent = step(cluster, "ok", folder)
    run = cluster.experiment.submit(Pipeline(cluster.ws, steps=[failing, after, independent]),
                                    continue_on_step_failure=True)
    assert run.wait_for_completion(show_output=False, raise_on_error=False) == "Failed"
    statuses = {s.name: s.get_status() for s in run.get_steps()}
    assert statuses == {"fail": "Failed", "ok": "Finished"}


def test_an_unchanged_step_reuses_its_earlier_run_and_a_changed_one_runs_again(cluster):
    first = cluster.experiment.submit(write_read_pipeline(cluster))
    first.wait_for_completion(show_output=False)
    earlier = {s.name: s.id for s in first.get_steps()}

    started = time.monotonic()
    again = cluster.experiment.submit(write_read_pipeline(cluster))
    assert again.wait_for_completion(show_output=False) == "Finished"
    assert time.monotonic() - started < 10
    reused = {s.name: s for s in again.get_steps()}
    assert {name: s.id for name, s in reused.items()} == earlier   # Azure shows the run it reused
    assert all(s._is_reused for s in reused.values())
    assert reused["read"].get_status() == "Finished" and "READ hello world" in job_log(reused["read"])

    changed = cluster.experiment.submit(write_read_pipeline(cluster), pipeline_parameters={"greeting": "again"})
    changed.wait_for_completion(show_output=False)
    rerun = {s.name: s for s in changed.get_steps()}
    assert not any(s._is_reused for s in rerun.values()) and rerun["write"].id != earlier["write"]
    assert "READ hello again" in job_log(rerun["read"])

    pipeline = write_read_pipeline(cluster)   # (writes the scripts again)
    (cluster.work / "steps" / "read.py").write_text(READ + "print('EDITED')\n")
    edited = cluster.experiment.submit(pipeline)
    edited.wait_for_completion(show_output=False)
    steps = {s.name: s for s in edited.get_steps()}
    # Both steps' source directory changed (the fingerprint hashes all of it): both run again.
    assert not any(s._is_reused for s in steps.values()) and steps["write"].id != earlier["write"]
    assert "EDITED" in job_log(steps["read"])


def one_step_pipeline(cluster, allow_reuse=True):
    return Pipeline(cluster.ws, steps=[step(cluster, "ok", script_folder(cluster, "single", ok=OK),
                                            allow_reuse=allow_reuse)])


@pytest.mark.parametrize("allow_reuse, regenerate_outputs", [(False, False), (True, True)])
def test_allow_reuse_false_and_regenerate_outputs_run_the_step_every_time(cluster, allow_reuse, regenerate_outputs):
    first = cluster.experiment.submit(one_step_pipeline(cluster, allow_reuse))
    first.wait_for_completion(show_output=False)
    second = cluster.experiment.submit(one_step_pipeline(cluster, allow_reuse), regenerate_outputs=regenerate_outputs)
    second.wait_for_completion(show_output=False)
    (earlier,), (later,) = first.get_steps(), second.get_steps()
    assert earlier.id != later.id and not later._is_reused and "fine" in job_log(later)


def test_a_published_pipeline_runs_from_the_sdk_and_from_its_rest_endpoint(cluster):
    import requests
    from azureml.pipeline.core import PublishedPipeline
    published = write_read_pipeline(cluster).publish(name="greeter", description="says hello", version="1.0")
    assert published.status == "Active" and published.version == "1.0"
    assert published.endpoint.endswith("/PipelineRuns/PipelineSubmit/" + published.id)
    assert PublishedPipeline.get(cluster.ws, published.id).name == "greeter"
    assert [p.id for p in PublishedPipeline.list(cluster.ws)] == [published.id]

    run = published.submit(cluster.ws, "published")
    assert run.wait_for_completion(show_output=False) == "Finished"
    assert "READ hello world" in job_log(run.find_step_run("read")[0])
    assert sorted(node.name for node in run.get_graph().module_nodes) == ["read", "write"]
    again = run.publish_pipeline(name="greeter-again", description="from its run", version="2")
    assert again.id != published.id and again.version == "2"
    again.disable()

    body = {"ExperimentName": "from-rest", "ParameterAssignments": {"greeting": "rest"}}
    refused = requests.post(published.endpoint, json=body)
    assert refused.status_code == 401
    answer = requests.post(published.endpoint, json=body, headers=cluster.ws._auth_object.get_authentication_header())
    assert answer.status_code == 200
    rest_run = PipelineRun(Experiment(cluster.ws, "from-rest"), answer.json()["Id"])
    assert rest_run.wait_for_completion(show_output=False) == "Finished"
    assert "READ hello rest" in job_log(rest_run.find_step_run("read")[0])
    assert {r.id for r in PipelineRun.get_pipeline_runs(cluster.ws, published.id)} == {run.id, rest_run.id}

    published.disable()
    assert PublishedPipeline.get(cluster.ws, published.id).status == "Disabled"
    assert PublishedPipeline.list(cluster.ws) == []
    with pytest.raises(Exception, match="Bad Request"):
        published.submit(cluster.ws, "published")
    refused = requests.post(published.endpoint, json=body, headers=cluster.ws._auth_object.get_authentication_header())
    assert refused.status_code == 400 and "is Disabled" in refused.json()["error"]["message"]
    published.enable()
    assert PublishedPipeline.get(cluster.ws, published.id).status == "Active"


def test_a_pipeline_endpoint_keeps_versions_and_runs_the_default_or_the_one_asked(cluster):
    import requests
    from azureml.pipeline.core import PipelineEndpoint
    first = write_read_pipeline(cluster).publish(name="greeter")
    endpoint = PipelineEndpoint.publish(cluster.ws, name="greeter-endpoint", pipeline=first, description="d")
    assert endpoint.default_version == "0" and endpoint.status == "Active"
    assert PipelineEndpoint.get(cluster.ws, name="greeter-endpoint").id == endpoint.id
    assert [e.name for e in PipelineEndpoint.list(cluster.ws)] == ["greeter-endpoint"]
    with pytest.raises(ValueError, match="already exists"):
        PipelineEndpoint.publish(cluster.ws, name="greeter-endpoint", pipeline=first, description="d")

    folder = script_folder(cluster, "single", ok=OK)
    second = Pipeline(cluster.ws, steps=[step(cluster, "ok", folder)]).publish(name="fine")
    endpoint.add_default(second)
    endpoint = PipelineEndpoint.get(cluster.ws, id=endpoint.id)
    assert endpoint.default_version == "1"
    assert [p.id for p in endpoint.list_pipelines()] == [first.id, second.id]

    run = endpoint.submit("by-endpoint")   # the default version: the one-step pipeline
    assert run.wait_for_completion(show_output=False) == "Finished"
    assert [s.name for s in run.get_steps()] == ["ok"]
    answer = requests.post(endpoint.endpoint + "?pipelineVersion=0", json={
        "ExperimentName": "by-endpoint", "ParameterAssignments": {"greeting": "version 0"}},
        headers=cluster.ws._auth_object.get_authentication_header())
    assert answer.status_code == 200
    rest_run = PipelineRun(Experiment(cluster.ws, "by-endpoint"), answer.json()["Id"])
    assert rest_run.wait_for_completion(show_output=False) == "Finished"
    assert "READ hello version 0" in job_log(rest_run.find_step_run("read")[0])
    assert requests.post(endpoint.endpoint, json={"ExperimentName": "x"}).status_code == 401

    # The SDK's client puts the version in the path too; Microsoft's sample also posts by name,
    # with assignments to names the pipeline has no parameters of (Azure ignores them).
    versioned = endpoint.submit("by-endpoint", pipeline_version="1")
    assert versioned.wait_for_completion(show_output=False) == "Finished"
    assert [s.name for s in versioned.get_steps()] == ["ok"]
    by_name = endpoint.endpoint.split("Id", 1)[0] + "Name?name=greeter-endpoint&pipelineVersion=0"
    answer = requests.post(by_name, json={"ExperimentName": "by-name", "ParameterAssignments": {"1": "united"}},
                           headers=InteractiveLoginAuthentication().get_authentication_header())
    assert answer.status_code == 200, answer.text
    named_run = PipelineRun(Experiment(cluster.ws, "by-name"), answer.json()["Id"])
    assert named_run.wait_for_completion(show_output=False) == "Finished"
    assert "READ hello world" in job_log(named_run.find_step_run("read")[0])
    missing = requests.post(by_name.replace("greeter-endpoint", "nobody"), json={"ExperimentName": "x"},
                            headers=InteractiveLoginAuthentication().get_authentication_header())
    assert missing.status_code == 404 and "nobody" in missing.json()["error"]["message"]


SLOW = """
import os, time
print('PID', os.getpid(), flush=True)
time.sleep(120)
"""


def test_cancel_ends_the_running_step_and_the_pipeline_run(cluster):
    from helpers import is_running
    folder = script_folder(cluster, slow=SLOW, ok=OK)
    slow = step(cluster, "slow", folder, allow_reuse=False)
    after = step(cluster, "ok", folder, allow_reuse=False)
    after.run_after(slow)
    run = cluster.experiment.submit(Pipeline(cluster.ws, steps=[slow, after]))
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        steps = list(run.get_steps())
        log = steps[0].get_details_with_logs()["logFiles"].get("user_logs/std_log.txt", "") if steps else ""
        if "PID " in log:
            break
        time.sleep(0.5)
    pid = int(log.split("PID ")[1].split()[0])
    assert is_running(pid)
    run.cancel()
    assert run.wait_for_completion(show_output=False, raise_on_error=False) == "Canceled"
    assert not is_running(pid)
    assert [s.name for s in run.get_steps()] == ["slow"]
    assert run.find_step_run("slow")[0].get_status() == "Canceled"


def test_a_datastore_path_is_a_step_input_and_a_step_output_downloads(cluster):
    from azureml.data.data_reference import DataReference
    datastore = cluster.ws.get_default_datastore()
    (cluster.work / "upload").mkdir()
    (cluster.work / "upload" / "name.txt").write_text("datastore")
    datastore.upload(src_dir=str(cluster.work / "upload"), target_path="inputs/names")
    names = DataReference(datastore, data_reference_name="names", path_on_datastore="inputs/names")
    folder = script_folder(cluster, greet="""
import os, sys
os.makedirs(sys.argv[2], exist_ok=True)
name = open(os.path.join(sys.argv[1], 'name.txt')).read()
open(os.path.join(sys.argv[2], 'message.txt'), 'w').write('hello ' + name)
""")
    data = PipelineData("message", datastore=datastore)
    greet = step(cluster, "greet", folder, arguments=[names, data], inputs=[names], outputs=[data])
    run = cluster.experiment.submit(Pipeline(cluster.ws, steps=[greet]))
    assert run.wait_for_completion(show_output=False) == "Finished"
    (greet_run,) = run.get_steps()
    output = greet_run.get_output_data("message")
    assert output.path_on_datastore == "azureml/{}/message".format(greet_run.id)
    output.download(local_path=str(cluster.work / "downloaded"))
    assert (cluster.work / "downloaded" / output.path_on_datastore / "message.txt").read_text() == "hello datastore"


def test_an_output_file_dataset_config_passes_data_between_steps(cluster):
    from azureml.data import OutputFileDatasetConfig
    folder = script_folder(cluster, write_to="""
import os, sys
os.makedirs(sys.argv[1], exist_ok=True)
open(os.path.join(sys.argv[1], 'message.txt'), 'w').write('hello dataset')
""", read=READ)
    default = OutputFileDatasetConfig(name="message")
    placed = OutputFileDatasetConfig(name="placed", destination=(cluster.ws.get_default_datastore(), "kept/{run-id}"))
    write = step(cluster, "write_to", folder, arguments=[default], allow_reuse=False)
    write_placed = step(cluster, "write_to", folder, name="write_placed", arguments=[placed], allow_reuse=False)
    read = step(cluster, "read", folder, arguments=[default.as_input()], allow_reuse=False)
    run = cluster.experiment.submit(Pipeline(cluster.ws, steps=[write, write_placed, read]))
    assert run.wait_for_completion(show_output=False) == "Finished"
    steps = {s.name: s for s in run.get_steps()}
    assert "READ hello dataset" in job_log(steps["read"])
    (reference,) = steps["read"].get_details()["runDefinition"]["dataReferences"].values()
    assert reference["pathOnDataStore"] == "dataset/{}/message".format(steps["write_to"].id)   # Azure's default
    (placed_reference,) = steps["write_placed"].get_details()["runDefinition"]["dataReferences"].values()
    assert placed_reference["pathOnDataStore"] == "kept/{}".format(steps["write_placed"].id)


def test_a_registered_dataset_is_a_step_input_mounted_or_downloaded(cluster):
    from azureml.core import Dataset
    datastore = cluster.ws.get_default_datastore()
    (cluster.work / "digits").mkdir()
    (cluster.work / "digits" / "seven.txt").write_text("7")
    datastore.upload(src_dir=str(cluster.work / "digits"), target_path="digits")
    digits = Dataset.File.from_files(path=(datastore, "digits")).register(cluster.ws, "digits")
    folder = script_folder(cluster, count="""
import os, sys
print('FILES', sorted(os.listdir(sys.argv[1])), open(os.path.join(sys.argv[1], 'seven.txt')).read())
""")
    mounted = digits.as_named_input("digits").as_mount()
    downloaded = digits.as_named_input("copied").as_download()
    steps = [step(cluster, "count", folder, name=name, arguments=[data], inputs=[data])
             for name, data in (("mounted", mounted), ("downloaded", downloaded))]
    run = cluster.experiment.submit(Pipeline(cluster.ws, steps=steps))
    assert run.wait_for_completion(show_output=False) == "Finished"
    for step_run in run.get_steps():
        assert "FILES ['seven.txt'] 7" in job_log(step_run)
        (used,) = step_run.get_details()["inputDatasets"]
        assert used["dataset"].name == "digits"


def test_stopping_the_emulators_jobs_ends_the_pipeline_supervisor_and_its_steps(cluster):
    from helpers import is_running
    from azureml_emulator.runs import backend as runs
    from azureml_emulator.store import Store
    from azureml_emulator.tools import housekeeping
    folder = script_folder(cluster, slow=SLOW)
    run = cluster.experiment.submit(Pipeline(cluster.ws, steps=[step(cluster, "slow", folder, allow_reuse=False)]))
    deadline = time.monotonic() + 90
    log = ""
    while "PID " not in log and time.monotonic() < deadline:
        steps = list(run.get_steps())
        log = steps[0].get_details_with_logs()["logFiles"].get("user_logs/std_log.txt", "") if steps else ""
        time.sleep(0.5)
    pid = int(log.split("PID ")[1].split()[0])
    store = Store(cluster.home)
    supervisor = runs.process_of(store, runs.all_runs(store)[0][0], run.id)["pid"]
    assert is_running(pid) and is_running(supervisor)
    housekeeping.stop_all(cluster.home)   # what `azureml-emulator reset` and a test session's end do
    assert not is_running(pid) and not is_running(supervisor)
    assert run.get_status() == "Canceled"


def test_a_dataset_pipeline_parameter_is_its_default_or_the_dataset_given_at_submit(cluster):
    """Microsoft's ParallelRunStep MNIST sample: PipelineParameter(default_value=<FileDataset>) in a
    DatasetConsumptionConfig, then a second run with pipeline_parameters={name: another dataset}."""
    from azureml.core import Dataset
    from azureml.data.dataset_consumption_config import DatasetConsumptionConfig
    datastore = cluster.ws.get_default_datastore()
    for name, digit in (("sevens", "7"), ("threes", "3")):
        (cluster.work / name).mkdir()
        (cluster.work / name / (name + ".txt")).write_text(digit)
        datastore.upload(src_dir=str(cluster.work / name), target_path=name)
    sevens, threes = (Dataset.File.from_files(path=(datastore, name)) for name in ("sevens", "threes"))
    folder = script_folder(cluster, listing="""
import os, sys
print('FILES', sorted(os.listdir(sys.argv[1])))
""")
    chosen = PipelineParameter(name="digits_param", default_value=sevens)
    data = DatasetConsumptionConfig("digits", chosen).as_mount()
    pipeline = Pipeline(cluster.ws, steps=[step(cluster, "listing", folder, arguments=[data], inputs=[data])])
    first = cluster.experiment.submit(pipeline)
    assert first.wait_for_completion(show_output=False) == "Finished"
    assert "FILES ['sevens.txt']" in job_log(next(iter(first.get_steps())))
    second = cluster.experiment.submit(pipeline, pipeline_parameters={"digits_param": threes})
    assert second.wait_for_completion(show_output=False) == "Finished"
    assert "FILES ['threes.txt']" in job_log(next(iter(second.get_steps())))
    # A published pipeline run with no assignment at all takes the graph's default.
    third = pipeline.publish("digits").submit(cluster.ws, cluster.experiment.name)
    assert third.wait_for_completion(show_output=False) == "Finished"
    assert "FILES ['sevens.txt']" in job_log(next(iter(third.get_steps())))
