"""Pipeline schedules through the SDK's own Schedule and ScheduleRecurrence: the home's scheduler
process fires them at their times (its clock sped up by the test-only knob), each firing a real
pipeline run; disabled, they stop, and the scheduler exits with nothing left to fire."""
import datetime
import os
import time

import pytest
import requests
from azureml.pipeline.core import Pipeline, PipelineEndpoint, Schedule, ScheduleRecurrence, TimeZone
from azureml.pipeline.core.graph import PipelineParameter
from azureml.pipeline.core.run import PipelineRun
from azureml.pipeline.steps import PythonScriptStep
from azureml.core.runconfig import RunConfiguration
from azureml.data.datapath import DataPath, DataPathComputeBinding

from azureml_emulator import emulate
from azureml_emulator.addresses import EMULATOR_BASE_URL
from azureml_emulator.pipelines import scheduler
from helpers import job_log
from azureml_emulator.processes import is_alive
from azureml_emulator.tools import cli, housekeeping

STEP = "import sys; print('scheduled', sys.argv[1:])\n"


def published_pipeline(cluster, name="ticker"):
    folder = cluster.work / "scheduled"
    folder.mkdir(exist_ok=True)
    (folder / "step.py").write_text(STEP)
    config = RunConfiguration()
    config.environment = cluster.environment
    word = PipelineParameter("word", default_value="hello")
    step = PythonScriptStep(script_name="step.py", name="say", source_directory=str(folder), arguments=[word],
                            compute_target=cluster.target, runconfig=config, allow_reuse=True)
    return Pipeline(cluster.ws, steps=[step]).publish(name=name)


READ_PATH = "import sys; print('READ', open(sys.argv[1]).read())\n"


def data_path_pipeline(cluster):
    """A step that reads the file a DataPath parameter names."""
    folder = cluster.work / "reader"
    folder.mkdir(exist_ok=True)
    (folder / "read.py").write_text(READ_PATH)
    config = RunConfiguration()
    config.environment = cluster.environment
    datastore = cluster.ws.get_default_datastore()
    path = PipelineParameter("input_path", default_value=DataPath(datastore, "incoming/default.csv"))
    binding = (path, DataPathComputeBinding(mode="mount"))
    step = PythonScriptStep(script_name="read.py", name="read", source_directory=str(folder), arguments=[binding],
                            inputs=[binding], compute_target=cluster.target, runconfig=config)
    return Pipeline(cluster.ws, steps=[step])


def scope(ws):
    return "/subscriptions/{}/resourceGroups/{}/providers/Microsoft.MachineLearningServices/workspaces/{}".format(
        ws.subscription_id, ws.resource_group, ws.name)


def refusal(call, *args, **kwargs):
    """The status and error message of the service's answer to a call the SDK raises for."""
    with pytest.raises(Exception) as raised:
        call(*args, **kwargs)
    return raised.value.response.status_code, raised.value.response.json()["error"]["message"]


def wait_for(found, count, timeout=30.0):
    deadline = time.monotonic() + timeout
    while True:
        runs = found()
        if len(runs) >= count or time.monotonic() > deadline:
            return runs
        time.sleep(0.3)


def wait_until_stopped(home, timeout=10.0):
    deadline = time.monotonic() + timeout
    while scheduler.is_running(home) and time.monotonic() < deadline:
        time.sleep(0.1)
    return not scheduler.is_running(home)


def test_a_recurrence_fires_at_once_then_every_interval_and_stops_when_disabled(cluster, monkeypatch):
    monkeypatch.setenv(scheduler.SPEED_ENV_VAR, "30")   # the scheduler's minute lasts 2 s
    published = published_pipeline(cluster)
    schedule = Schedule.create(cluster.ws, name="every-minute", pipeline_id=published.id,
                               experiment_name="scheduled", pipeline_parameters={"word": "tick"},
                               recurrence=ScheduleRecurrence(frequency="Minute", interval=1))
    assert schedule.status == "Active" and schedule.recurrence.frequency == "Minute"
    state = scheduler.state(cluster.home)
    assert state["running"] and state["owners"] == [os.getpid()]

    runs = wait_for(schedule.get_pipeline_runs, 2)
    assert len(runs) >= 2
    first = runs[0]
    assert all(r.experiment.name == "scheduled" for r in runs)
    assert schedule.get_last_pipeline_run().id == runs[-1].id

    schedule.disable()
    assert Schedule.get(cluster.ws, schedule.id).status == "Disabled"
    assert wait_until_stopped(cluster.home)   # nothing Active is left: the scheduler exits
    fired = len(schedule.get_pipeline_runs())
    time.sleep(2.5)   # longer than the recurrence's minute on the scheduler's clock
    assert len(schedule.get_pipeline_runs()) == fired

    # each firing is a real pipeline run of the published pipeline, with the schedule's parameters
    assert first.wait_for_completion(show_output=False) == "Finished"
    assert "scheduled ['tick']" in job_log(first.find_step_run("say")[0])
    assert first.get_properties()["runType"] == "Schedule"
    log = (scheduler.folder(cluster.home) / "scheduler.log").read_text()
    assert "Schedule every-minute ({}) submitted pipeline run {}".format(schedule.id, first.id) in log
    assert "Scheduler exits: no schedule is Active." in log


def test_a_datastore_schedule_fires_when_a_blob_is_added_under_its_path(cluster, monkeypatch, tmp_path):
    monkeypatch.setenv(scheduler.SPEED_ENV_VAR, "60")   # polls every minute: each second
    published = data_path_pipeline(cluster).publish(name="reader")
    datastore = cluster.ws.get_default_datastore()
    schedule = Schedule.create(cluster.ws, name="on-upload", pipeline_id=published.id, experiment_name="on-data",
                               datastore=datastore, polling_interval=1, path_on_datastore="incoming",
                               data_path_parameter_name="input_path")
    assert schedule.datastore_name == datastore.name and schedule.path_on_datastore == "incoming"
    assert schedule.polling_interval == 1 and schedule.data_path_parameter_name == "input_path"
    time.sleep(2.5)
    assert schedule.get_pipeline_runs() == [] and schedule.get_last_pipeline_run() is None

    (tmp_path / "upload" / "sub").mkdir(parents=True)
    (tmp_path / "upload" / "new.csv").write_text("fresh data")
    (tmp_path / "upload" / "sub" / "deeper.csv").write_text("a,b\n")   # sub-folders are not watched
    datastore.upload(str(tmp_path / "upload"), target_path="incoming", show_progress=False)
    runs = wait_for(schedule.get_pipeline_runs, 1, timeout=15)
    assert len(runs) == 1 and runs[0].experiment.name == "on-data"
    time.sleep(2.5)   # two more polls see nothing new
    assert len(schedule.get_pipeline_runs()) == 1
    # the changed blob is the run's DataPath parameter, the step's input
    assert runs[0].wait_for_completion(show_output=False) == "Finished"
    assert "READ fresh data" in job_log(runs[0].find_step_run("read")[0])

    housekeeping.stop_all(cluster.home)
    record = scheduler.record(cluster.home)
    assert record is not None and not is_alive(record)


def test_schedules_are_listed_got_updated_and_refused_as_azure_does(cluster, capsys):
    published = published_pipeline(cluster)
    endpoint = PipelineEndpoint.publish(cluster.ws, name="ticker-endpoint", pipeline=published, description="d")
    later = datetime.datetime.utcnow().replace(microsecond=0) + datetime.timedelta(days=1)
    hourly = ScheduleRecurrence(frequency="Hour", interval=1, start_time=later, time_zone=TimeZone.UTC)
    schedule = Schedule.create(cluster.ws, name="hourly", pipeline_id=published.id, experiment_name="sched",
                               recurrence=hourly, description="once an hour")
    weekly = ScheduleRecurrence(frequency="Week", interval=2, week_days=["Monday", "Friday"], hours=[6], minutes=[30],
                                start_time=later, time_zone=TimeZone.PacificStandardTime)
    on_endpoint = Schedule.create_for_pipeline_endpoint(cluster.ws, name="weekly", pipeline_endpoint_id=endpoint.id,
                                                        experiment_name="sched", recurrence=weekly)

    got = Schedule.get(cluster.ws, schedule.id)
    assert (got.name, got.status, got.description, got.pipeline_id) == ("hourly", "Active", "once an hour",
                                                                         published.id)
    assert got.recurrence.interval == 1 and got.recurrence.frequency == "Hour"
    assert got.get_last_pipeline_run() is None and got.get_pipeline_runs() == []
    again = Schedule.get(cluster.ws, on_endpoint.id)
    assert again.pipeline_endpoint_id == endpoint.id and again.recurrence.week_days == ["Monday", "Friday"]
    assert again.recurrence.hours == [6] and again.recurrence.minutes == [30]
    assert {s.id for s in Schedule.list(cluster.ws)} == {schedule.id, on_endpoint.id}
    assert [s.id for s in Schedule.list(cluster.ws, pipeline_id=published.id)] == [schedule.id]
    assert [s.id for s in Schedule.list(cluster.ws, pipeline_endpoint_id=endpoint.id)] == [on_endpoint.id]

    schedule.update(name="two-hourly", recurrence=ScheduleRecurrence(frequency="Hour", interval=2,
                                                                      start_time=later, time_zone=TimeZone.UTC))
    assert Schedule.get(cluster.ws, schedule.id).name == "two-hourly"
    assert Schedule.get(cluster.ws, schedule.id).recurrence.interval == 2
    schedule.disable()
    assert [s.id for s in Schedule.list(cluster.ws)] == [on_endpoint.id]
    assert {s.id for s in Schedule.list(cluster.ws, active_only=False)} == {schedule.id, on_endpoint.id}
    schedule.enable()
    assert Schedule.get(cluster.ws, schedule.id).status == "Active"

    # a schedule of an endpoint runs its default version; without a start time, at once
    now = Schedule.create_for_pipeline_endpoint(cluster.ws, name="now", pipeline_endpoint_id=endpoint.id,
                                                experiment_name="sched",
                                                recurrence=ScheduleRecurrence(frequency="Day", interval=1))
    (fired,) = wait_for(now.get_pipeline_runs, 1, timeout=15)
    assert fired.id in {r.id for r in PipelineRun.get_pipeline_runs(cluster.ws, published.id)}
    assert now.get_last_pipeline_run().id == fired.id
    assert fired.get_properties()["runType"] == "Schedule"
    now.disable()

    assert cli.main(["--home", str(cluster.home), "schedules"]) == 0
    listed = capsys.readouterr().out
    assert "two-hourly" in listed and "every 2 hours" in listed and "weekly" in listed
    assert cli.main(["--home", str(cluster.home), "scheduler"]) == 0
    assert "The scheduler runs (pid" in capsys.readouterr().out

    assert refusal(Schedule.get, cluster.ws, "no-such-schedule") == (
        404, "Schedule no-such-schedule was not found in this workspace")
    assert refusal(Schedule.create, cluster.ws, name="bad", pipeline_id="no-such-pipeline", experiment_name="sched",
                   recurrence=hourly) == (404, "Pipeline no-such-pipeline was not found in this workspace")
    answer = requests.post("{}/pipelines/v1.0{}/Schedules/Create".format(EMULATOR_BASE_URL, scope(cluster.ws)),
                           headers=cluster.ws._auth_object.get_authentication_header(), json={
                               "Name": "raw", "PipelineId": published.id, "ScheduleType": "0",
                               "Recurrence": {"Frequency": "Hour", "Interval": 1},
                               "PipelineSubmissionInfo": {"ExperimentName": "sched", "ParameterAssignments": [{}]}})
    assert answer.status_code == 400 and "ParameterAssignments is [{}]" in answer.json()["error"]["message"]
    assert {s.id for s in Schedule.list(cluster.ws, active_only=False)} == {schedule.id, on_endpoint.id, now.id}

    # the scheduler exits when no process that activated the emulator on the home owns it any more,
    # and starts again when the emulator is activated on a home with an Active schedule
    scheduler.release(cluster.home)
    assert wait_until_stopped(cluster.home)
    assert "no process that activated the emulator on this home is left" in (
        scheduler.folder(cluster.home) / "scheduler.log").read_text()
    with emulate(home=cluster.home):
        assert scheduler.is_running(cluster.home)

    # a test session's clean-up (stop_all with its start time) leaves an older scheduler alone
    assert scheduler.stop(cluster.home, started_since=time.time() + 3600) is False
    assert scheduler.is_running(cluster.home)
    assert cli.main(["--home", str(cluster.home), "scheduler", "stop"]) == 0
    assert "Scheduler stopped." in capsys.readouterr().out
    assert not scheduler.is_running(cluster.home)

    with emulate(home=cluster.home):   # started again; `azureml-emulator reset` ends it with the rest
        running = scheduler.record(cluster.home)
        assert is_alive(running)
        assert cli.main(["--home", str(cluster.home), "reset", "--yes"]) == 0
        assert "scheduler, services and jobs stopped" in capsys.readouterr().out
        assert not is_alive(running)
