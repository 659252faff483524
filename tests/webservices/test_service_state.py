"""The web service state machine: a refresh reads the real process (alive, answering its
liveness route, exited with a code, restarted by its supervisor) and moves the stored
state as Azure's does, with Azure's error shapes; it never brings back a service that was
deleted meanwhile; `settle` waits for a deployment to leave Transitioning."""
import http.server
import json
import re
import sys
import threading
import time

import pytest

from azureml_emulator import processes
from azureml_emulator.ids import WorkspaceKey
from azureml_emulator.processes import ProcessRecord
from azureml_emulator.webservices import backend, repository, states
from azureml_emulator.webservices.records import ServiceRecord

WS = WorkspaceKey("sub", "rg", "ws")
# A process that does not exist (PID 0 is never a user process).
GONE = ProcessRecord(pid=0, create_time=0.0, log="/nonexistent/service.log")
TRACEBACK = """Traceback (most recent call last):
  File "/app/score.py", line 7, in init
    model = joblib.load(path)
FileNotFoundError: [Errno 2] No such file or directory: 'model.pkl'
gunicorn.errors.HaltServer: <HaltServer 'Worker failed to boot.' 3>
SystemExit: 1
"""


def stored_service(store, state="Healthy", process=GONE, compute_type="ACI", **payload):
    repository.save(store, ServiceRecord(WS, {"name": "ghost", "state": state, "computeType": compute_type,
                                              "updatedTime": "before", **payload}, process))
    return repository.load(store, WS, "ghost")


@pytest.fixture
def sleeper(tmp_path):
    """A live process of our own, as a service's server is."""
    pid, created, since_boot = processes.spawn([sys.executable, "-c", "import time; time.sleep(120)"], env={},
                                               cwd=tmp_path, log_path=tmp_path / "sleeper.log")
    record = ProcessRecord(pid=pid, create_time=created, started=since_boot, log=str(tmp_path / "sleeper.log"))
    yield record
    processes.stop(record, grace_seconds=1)


@pytest.fixture
def liveness():
    """A server on loopback answering the inference server's liveness route (GET /) when
    the request carries the service's key; the paths it was asked for are recorded."""
    asked = []

    class Liveness(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            asked.append(self.headers.get("Authorization"))
            self.send_response(200 if self.headers.get("Authorization") == "Bearer the-key" else 401)
            self.end_headers()

        def log_message(self, *args):
            pass
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Liveness)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1], asked
    server.shutdown()
    server.server_close()


def test_refresh_marks_a_dead_healthy_service_unhealthy(azureml_emulator):
    store = azureml_emulator.store
    states.refresh(store, stored_service(store))
    service = repository.load(store, WS, "ghost")
    assert service.state == "Unhealthy"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT[\d:.]+\+00:00", service.payload["updatedTime"])   # when it changed
    assert service.payload["error"] == {
        "code": "ServiceProcessExited",
        "message": "The inference server process of service 'ghost' has stopped. Its log is /nonexistent/service.log"}


def test_a_live_healthy_service_and_settled_failures_stay_as_they_are(azureml_emulator, sleeper):
    store = azureml_emulator.store
    assert states.refresh(store, stored_service(store, "Healthy", sleeper)).state == "Healthy"
    for state in ("Failed", "Unhealthy"):
        states.refresh(store, stored_service(store, state))
        assert repository.load(store, WS, "ghost").state == state
        assert repository.load(store, WS, "ghost").payload["updatedTime"] == "before"   # nothing changed


def test_a_transitioning_service_turns_healthy_when_its_server_answers_with_its_key(azureml_emulator, sleeper,
                                                                                   liveness, tmp_path):
    store = azureml_emulator.store
    port, asked = liveness
    process = ProcessRecord(pid=sleeper.pid, create_time=sleeper.create_time, port=port, log=sleeper.log,
                            dir=str(tmp_path))
    (tmp_path / "status.json").write_text(json.dumps({"ready": True}))   # its container says it runs
    assert states.refresh(store, stored_service(store, "Transitioning", process, keys=["wrong"])).state == \
        "Transitioning"   # alive, but not answering yet (here: refusing the key)
    assert repository.load(store, WS, "ghost").payload["updatedTime"] == "before"
    (tmp_path / "status.json").write_text(json.dumps({"ready": False}))   # answering, but over its memory
    assert states.refresh(store, stored_service(store, "Transitioning", process, keys=["the-key"])).state == \
        "Transitioning"
    (tmp_path / "status.json").write_text(json.dumps({"ready": True}))
    states.refresh(store, stored_service(store, "Transitioning", process, keys=["the-key", "second"]))
    service = repository.load(store, WS, "ghost")
    assert service.state == "Healthy" and service.payload["updatedTime"] != "before"
    assert asked == ["Bearer wrong", "Bearer the-key", "Bearer the-key"]


def test_a_transitioning_service_whose_server_exited_fails_as_an_aci_deployment_does(azureml_emulator, tmp_path):
    store = azureml_emulator.store
    (tmp_path / "service.log").write_text(TRACEBACK)
    (tmp_path / "exit_code").write_text("3")
    (tmp_path / "status.json").write_text(json.dumps({"state": "CrashLoopBackOff", "reason": "init() failed"}))
    exited = ProcessRecord(pid=0, create_time=0.0, dir=str(tmp_path), log=str(tmp_path / "service.log"),
                           exit_code_file=str(tmp_path / "exit_code"))
    states.refresh(store, stored_service(store, "Transitioning", exited))
    service = repository.load(store, WS, "ghost")
    assert service.state == "Failed" and service.payload["updatedTime"] != "before"
    error = service.payload["error"]
    assert (error["code"], error["statusCode"]) == ("AciDeploymentFailed", 400)
    assert error["details"] == [{"code": "CrashLoopBackOff", "message": "Your container application crashed. This "
                                 "may be caused by errors in your scoring file's init() function."}]
    assert error["message"] == (
        "Aci Deployment failed with exception: Error in entry script, FileNotFoundError: [Errno 2] No such file or "
        "directory: 'model.pkl', please run print(service.get_logs()) to get details.\n"
        "The inference server for service 'ghost' exited with exit code 3 before it was ready (init() failed, or "
        "the entry script could not be loaded). CrashLoopBackOff: init() failed.\n"
        "Last lines of the service log ({}):\n{}\nCall service.get_logs() for the full log.".format(
            tmp_path / "service.log", TRACEBACK.rstrip("\n")))


def test_a_failure_without_a_process_or_log_says_what_the_emulator_saw(azureml_emulator):
    store = azureml_emulator.store
    states.refresh(store, stored_service(store, "Transitioning", None, compute_type="AKS"))
    error = repository.load(store, WS, "ghost").payload["error"]
    assert error["code"] == "DeploymentFailed"   # an AKS deployment is not an ACI one
    assert error["message"] == (
        "Error in entry script, The inference server for service 'ghost' exited before it was ready (init() "
        "failed, or the entry script could not be loaded)., please run print(service.get_logs()) to get details.\n"
        "The inference server for service 'ghost' exited before it was ready (init() failed, or the entry script "
        "could not be loaded).\nLast lines of the service log (None):\n\nCall service.get_logs() for the full log.")
    states.refresh(store, stored_service(store, "Healthy", None))
    assert repository.load(store, WS, "ghost").payload["error"]["message"].endswith("has stopped. Its log is None")


@pytest.mark.parametrize("lines_after, found", [(399, True), (400, False)])
def test_the_entry_scripts_exception_is_looked_for_in_the_last_400_lines(azureml_emulator, tmp_path, lines_after,
                                                                        found):
    store = azureml_emulator.store
    (tmp_path / "service.log").write_text("ValueError: bad model\n" + "[gunicorn] worker log line\n" * lines_after)
    states.refresh(store, stored_service(store, "Transitioning", ProcessRecord(0, 0.0, log=str(tmp_path / "service.log"))))
    message = repository.load(store, WS, "ghost").payload["error"]["message"]
    assert message.startswith("Aci Deployment failed with exception: Error in entry script, ValueError: bad model,") \
        is found


@pytest.mark.parametrize("log, raised", [
    (TRACEBACK, "FileNotFoundError: [Errno 2] No such file or directory: 'model.pkl'"),
    ("KeyError\nmodule.CustomException: first\nValueError: last one\n", "ValueError: last one"),
    ("  KeyboardInterrupt  \n", "KeyboardInterrupt"),
    ("gunicorn.errors.HaltServer: x\nSystemExit: 3\nazureml_inference_server_http.x.Error: y\n", None),
    ("Booting worker with pid: 12\nError: not an exception line\n3Error: nor this\n", None),
])
def test_the_entry_scripts_own_exception_is_found_in_the_log(log, raised):
    assert states.entry_script_error(log) == raised


def test_settle_waits_until_the_deployment_leaves_transitioning(azureml_emulator, sleeper):
    store = azureml_emulator.store
    stored_service(store, "Transitioning", sleeper)
    began = time.monotonic()
    assert states.settle(store, WS, "ghost", 0.5).state == "Transitioning"   # still starting when the wait ends
    assert 0.5 <= time.monotonic() - began < 5
    threading.Timer(0.5, processes.stop, (sleeper, 1)).start()
    assert states.settle(store, WS, "ghost", 30).state == "Failed"   # returns once it exits, not after 30 s
    assert time.monotonic() - began < 15
    assert states.settle(store, WS, "nobody", 30) is None


def test_refresh_after_delete_does_not_resurrect(azureml_emulator):
    store = azureml_emulator.store
    stale = stored_service(store)
    assert backend.delete(store, WS, "ghost")
    states.refresh(store, stale)   # a stale copy from before the delete
    assert repository.load(store, WS, "ghost") is None
    assert repository.list_in(store) == []
