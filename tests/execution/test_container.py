"""A service's process tree behaves as an ACI container: memory_gb limits the tree's
resident memory (the worker is killed and booted again), a dead server is restarted on the
same scoring URI, a server that keeps failing ends CrashLoopBackOff, delete() ends every
process, and the front end answers 413 over 100 MB and 504 after the scoring timeout."""
import json
import os
import signal
import time

import psutil
import pytest
import requests
from azureml.exceptions import WebserviceException

from helpers import as_json_body, deploy_script, is_running, service_pid


def deploy(lab, name, script="introspect_score.py", wait=True):
    service = deploy_script(lab, name, script, wait=False)
    if wait:
        service.wait_for_deployment()
    return service


def tree(pid):
    return [pid] + [p.pid for p in psutil.Process(pid).children(recursive=True)]


def wait_until(condition, timeout=60, what="the condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError("timed out waiting for " + what)


def answers(service):
    try:
        return requests.post(service.scoring_uri, data=json.dumps({"introspect": True}), timeout=10).ok
    except requests.ConnectionError:
        return False


def test_over_the_memory_limit_the_worker_is_killed_and_booted_again(lab, mnist, small_model):
    service = deploy(lab, "oom")
    before = service.run(json.dumps({"introspect": True}))["pid"]
    with pytest.raises((requests.ConnectionError, WebserviceException)):
        service.run(json.dumps({"allocate_mb": 1536}))   # over memory_gb=1
    try:
        wait_until(lambda: answers(service), what="the worker to boot again")
    except AssertionError as error:
        raise AssertionError("{}; the service's log:\n{}".format(error, service.get_logs()[-4000:])) from None
    assert service.run(json.dumps({"introspect": True}))["pid"] != before
    assert service.run(as_json_body(mnist["X_test"][:3])) == small_model.predict(mnist["X_test"][:3]).tolist()
    assert "worker killed: over the 1 GB memory limit (OOM)" in service.get_logs()
    assert service.state == "Healthy"


def test_a_dead_server_is_restarted_on_the_same_scoring_uri(lab):
    service = deploy(lab, "restarted")
    supervisor = service_pid(lab.home, "restarted")
    master = psutil.Process(supervisor).children()[0]
    old_worker = service.run(json.dumps({"introspect": True}))["pid"]
    os.kill(master.pid, signal.SIGKILL)   # the gunicorn master this test's deployment started
    wait_until(lambda: not is_running(old_worker), what="the orphaned worker to be ended")
    wait_until(lambda: answers(service), what="the restarted server")
    assert service.run(json.dumps({"introspect": True}))["pid"] != old_worker
    assert "container restarted (restart 1)" in service.get_logs()
    pids = tree(supervisor)
    service.delete()
    assert not any(is_running(pid) for pid in pids)


def test_a_server_that_keeps_failing_ends_crash_loop_back_off(lab):
    service = deploy(lab, "crash-loop", "init_fails_score.py", wait=False)
    with pytest.raises(WebserviceException) as caught:
        service.wait_for_deployment()
    assert "CrashLoopBackOff: the inference server exited with code 3" in caught.value.message
    assert service.get_logs().count("Booting worker with pid") >= 2


def test_a_body_over_100_mb_gets_413_before_the_entry_script(lab):
    service = deploy(lab, "big-bodies")
    limit = 100 * 1024 * 1024
    too_big = requests.post(service.scoring_uri, data=b" " * (limit + 1), timeout=60)
    assert too_big.status_code == 413 and b"413 Request Entity Too Large" in too_big.content
    at_limit = requests.post(service.scoring_uri, data=b" " * limit, timeout=60)
    assert at_limit.status_code != 413   # reaches the entry script (which cannot parse it)
    assert answers(service)


def test_a_request_over_the_scoring_timeout_gets_504_and_the_service_goes_on(lab, monkeypatch):
    monkeypatch.setenv("AZUREML_EMULATOR_SCORING_TIMEOUT_SECONDS", "2")   # ACI's is 60 s
    service = deploy(lab, "slow")
    started = time.monotonic()
    slow = requests.post(service.scoring_uri, data=json.dumps({"sleep": 5}), timeout=30)
    assert slow.status_code == 504
    assert slow.headers["Content-Type"].startswith("text/plain")
    assert "Client.Timeout exceeded while awaiting headers" in slow.text
    assert time.monotonic() - started < 4.5
    assert answers(service)


def test_a_service_whose_workers_are_always_over_the_memory_limit_ends_crash_loop_back_off(lab):
    """memory_gb=0.1 is less than a Python server with scikit-learn needs: each worker is killed
    as it starts, and the deployment fails as ACI's does, instead of booting workers forever."""
    from azureml.core import Model
    from azureml.core.model import InferenceConfig
    from azureml.core.webservice import AciWebservice
    from helpers import SCRIPTS, service_environment
    import shutil
    shutil.copy(SCRIPTS / "introspect_score.py", lab.work / "introspect_score.py")
    service = Model.deploy(lab.ws, "too-small", [lab.model],
                           InferenceConfig(entry_script="introspect_score.py", environment=service_environment()),
                           AciWebservice.deploy_configuration(cpu_cores=1, memory_gb=0.1))
    started = time.monotonic()
    with pytest.raises(WebserviceException) as caught:
        service.wait_for_deployment()
    assert time.monotonic() - started < 120
    assert service.state == "Failed"
    assert "CrashLoopBackOff" in caught.value.message
    assert "worker killed: over the 0.1 GB memory limit (OOM)" in service.get_logs()
