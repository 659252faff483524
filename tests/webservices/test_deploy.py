"""Deployments are real inference servers on loopback, with
the SDK's service objects, progress output and failures."""
import contextlib
import io
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import textwrap
import time
from types import SimpleNamespace

import numpy as np
import psutil
import pytest
import requests
from azureml.core import Model, Workspace
from azureml.core.model import InferenceConfig
from azureml.core.webservice import AciWebservice, LocalWebservice, Webservice
from azureml.exceptions import WebserviceException

from azureml_emulator import emulate
from azureml_emulator.tools import housekeeping
from azureml_emulator.webservices import backend
from helpers import SCRIPTS, as_json_body, is_running, save_model, service_environment, service_pid

GIB = 1024 ** 3


@pytest.fixture(scope="module")
def lab(tmp_path_factory, small_model):
    """One emulated workspace for the module, with the model registered."""
    home, work = tmp_path_factory.mktemp("deploy-home"), tmp_path_factory.mktemp("deploy-work")
    previous = os.getcwd()
    os.chdir(work)
    try:
        with emulate(home=home):
            ws = Workspace.from_config()
            save_model(small_model, work)
            model = Model.register(ws, model_path="sklearn_mnist_model.pkl", model_name="sklearn_mnist")
            yield SimpleNamespace(ws=ws, model=model, work=work, home=home)
            housekeeping.stop_all_services(home)
    finally:
        os.chdir(previous)


def deploy(lab, name, script, config=None, models=None, wait=True, source_directory=None, overwrite=False):
    """Deploy a test script (copied into the work folder) the way the tutorial does."""
    entry = os.path.basename(script)
    folder = lab.work / source_directory if source_directory else lab.work
    folder.mkdir(exist_ok=True)
    shutil.copy(SCRIPTS / script, folder / entry)
    inference_config = InferenceConfig(entry_script=entry, environment=service_environment(),
                                       source_directory=str(folder) if source_directory else None)
    service = Model.deploy(lab.ws, name, models or [lab.model], inference_config,
                           config or AciWebservice.deploy_configuration(cpu_cores=1, memory_gb=1),
                           overwrite=overwrite)
    if wait:
        service.wait_for_deployment(show_output=True)
    return service


@pytest.fixture(scope="module")
def deployed(lab):
    """An ACI-style deployment with key auth, plus everything it printed while deploying."""
    printed = io.StringIO()
    config = AciWebservice.deploy_configuration(cpu_cores=1, memory_gb=1, auth_enabled=True,
                                                tags={"data": "MNIST"}, description="introspection service")
    with contextlib.redirect_stdout(printed):
        service = deploy(lab, "introspect-svc", "introspect_score.py", config)
    return service, printed.getvalue()


def introspect(service):
    return service.run(json.dumps({"introspect": True}))


@pytest.fixture
def healthy(deployed):
    return deployed[0]


def test_deploy_returns_the_sdk_service_type(healthy):
    assert isinstance(healthy, AciWebservice)
    assert healthy.state == "Healthy"
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/score", healthy.scoring_uri)
    assert healthy.swagger_uri == healthy.scoring_uri.replace("/score", "/swagger.json")
    assert healthy.tags == {"data": "MNIST"} and healthy.description == "introspection service"


def test_a_deployment_that_settles_quickly_is_answered_done_on_the_first_poll(deployed):
    """The SDK's first operation poll waits (a long poll) until the deployment has settled, so the
    SDK prints its final state at once and never sleeps its fixed 5 s between polls."""
    lines = deployed[1].splitlines()
    assert "Running" not in lines
    # The SDK writes the first state without a line break: no progress lines come before its last line.
    assert lines[1:] == ['SucceededACI service creation operation finished, operation "Succeeded"']


def test_a_poll_answers_running_when_its_wait_is_over(lab, monkeypatch):
    """A deployment still starting when the poll's bound is over (an environment's first build takes
    minutes) is answered Running, as Azure answers it; the SDK sleeps and polls again."""
    monkeypatch.setattr(backend, "FIRST_POLL_WAIT_SECONDS", 0)
    service = deploy(lab, "slow-start", "slow_init_score.py", wait=False)
    state, error, operation = service._get_operation_state()
    assert (state, error) == ("Running", None)
    assert set(operation) == {"id", "operationType", "operationDetails", "state"}
    service.wait_for_deployment()
    assert service.state == "Healthy"


def test_progress_output_looks_like_the_sdk(lab, monkeypatch):
    """With show_output=True, a deployment the first poll answers Running streams its progress."""
    monkeypatch.setattr(backend, "FIRST_POLL_WAIT_SECONDS", 0)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        deploy(lab, "progress-svc", "slow_init_score.py")
    lines = printed.getvalue().splitlines()
    assert any(line.startswith("Tips: You can try get_logs()") for line in lines)
    assert "Running" in lines and "Succeeded" in lines
    assert lines.index("Running") < lines.index("Succeeded")
    assert any(re.search(r"\+00:00 Running init\(\) of the entry script", line) for line in lines)
    assert 'ACI service creation operation finished, operation "Succeeded"' in lines
    assert any(re.search(r"(Building|Reusing) image for environment test-env \([0-9a-f]{12}\)$", line)
               for line in lines)


def test_run_scores_with_the_real_model(healthy, small_model, mnist):
    images = mnist["X_test"][:50]
    assert healthy.run(as_json_body(images)) == small_model.predict(images).tolist()


def test_auth_keys_and_401(healthy, mnist):
    primary, secondary = healthy.get_keys()
    assert primary and secondary and primary != secondary
    body = as_json_body(mnist["X_test"][:1])
    assert requests.post(healthy.scoring_uri, data=body).status_code == 401
    assert requests.post(healthy.scoring_uri, data=body,
                         headers={"Authorization": "Bearer wrong"}).status_code == 401
    answer = requests.post(healthy.scoring_uri, data=body, headers={"Authorization": "Bearer " + secondary,
                                                                   "Content-Type": "application/json"})
    assert answer.status_code == 200
    swagger = requests.get(healthy.swagger_uri, headers={"Authorization": "Bearer " + primary})
    assert swagger.status_code == 200 and "swagger" in swagger.json()


def test_model_dir_is_the_version_folder(healthy):
    info = introspect(healthy)
    assert info["model_dir"].endswith(os.path.join("azureml-models", "sklearn_mnist", "1"))
    assert os.path.isabs(info["model_dir"])
    assert info["files"] == ["sklearn_mnist_model.pkl"]


def test_entry_script_is_snapshotted_at_deploy_time(healthy, lab):
    script = lab.work / "introspect_score.py"
    script.write_text(script.read_text().replace('MARKER = "original"', 'MARKER = "edited"'))
    assert introspect(healthy)["marker"] == "original"


def _listening_addresses(pid):
    master = psutil.Process(pid)
    processes = [master] + master.children(recursive=True)
    return {(c.laddr.ip, c.laddr.port) for p in processes for c in p.net_connections(kind="inet")
            if c.status == psutil.CONN_LISTEN}


def _non_loopback_address():
    for addresses in psutil.net_if_addrs().values():
        for address in addresses:
            if address.family == socket.AF_INET and not address.address.startswith("127."):
                return address.address
    return None


def server_pid(lab, name):
    return service_pid(lab.home, name)


def test_server_binds_loopback_only(healthy, lab):
    port = int(healthy.scoring_uri.rsplit(":", 1)[1].split("/")[0])
    pid = server_pid(lab, "introspect-svc")
    assert _listening_addresses(pid) == {("127.0.0.1", port)}
    other = _non_loopback_address()
    if other is not None:   # the same port on this machine's other address is closed
        with pytest.raises(OSError):
            socket.create_connection((other, port), timeout=2).close()


def test_cpu_limit_follows_the_deployment_config(healthy):
    assert introspect(healthy)["affinity"] == sorted(os.sched_getaffinity(0))[:1]


def test_run_that_raises_is_a_webservice_exception(healthy):
    with pytest.raises(WebserviceException) as caught:
        healthy.run(json.dumps({"raise": True}))
    message = caught.value.message
    assert message.startswith("Received bad response from service. More information can be found by calling "
                              "`.get_logs()` on the webservice object.\nResponse Code: 500\nHeaders: ")
    assert "Content: b'{\"message\": \"An unexpected error occurred in scoring script" in message
    assert "ValueError: run() was asked to fail" in healthy.get_logs()
    assert introspect(healthy)["marker"] == "original"


def test_get_logs_has_the_server_log(healthy):
    logs = healthy.get_logs()
    assert "Invoking user's init function" in logs
    assert "ready for serving traffic" in logs


def test_reattach_from_another_process(healthy, lab, mnist, small_model):
    child = textwrap.dedent("""
        import json
        import azureml_emulator
        from azureml.core import Workspace
        from azureml.core.webservice import Webservice
        with azureml_emulator.emulate(home=%r):
            ws = Workspace.from_config()
            service = Webservice(ws, "introspect-svc")
            print(json.dumps({"type": type(service).__name__, "state": service.state,
                              "names": [s.name for s in Webservice.list(ws)],
                              "prediction": service.run(json.dumps({"data": %s}))}))
    """ % (str(lab.home), json.dumps(mnist["X_test"][:3].tolist())))
    out = subprocess.run([sys.executable, "-c", child], capture_output=True, text=True, check=True, cwd=lab.work)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["type"] == "AciWebservice" and result["state"] == "Healthy"
    assert "introspect-svc" in result["names"]
    assert result["prediction"] == small_model.predict(mnist["X_test"][:3]).tolist()


def test_duplicate_name_is_refused_and_the_service_keeps_running(healthy, lab):
    with pytest.raises(WebserviceException, match="Service introspect-svc with the same name already exists, "
                                                  "please use a different service name or delete the existing"):
        deploy(lab, "introspect-svc", "introspect_score.py", wait=False)
    assert introspect(healthy)["marker"] == "original"


@pytest.mark.parametrize("name", ["Bad_Name", "ab", "9starts-with-digit", "x" * 33])
def test_bad_service_names_are_rejected_as_azure_does(lab, name):
    with pytest.raises(WebserviceException) as caught:
        deploy(lab, name, "introspect_score.py", wait=False)
    assert caught.value.message == (
        "Error, provided service name is invalid. It must only consist of lowercase letters, numbers, or dashes, "
        "start with a letter, end with a letter or number, and be between 3 and 32 characters long.")


def test_unknown_service(lab):
    with pytest.raises(WebserviceException) as caught:
        Webservice(lab.ws, "no-such-service")
    assert caught.value.message == "WebserviceNotFound: Webservice with name no-such-service not found in " \
                                   "provided workspace"


def assert_failed_deployment(service, *log_fragments):
    with pytest.raises(WebserviceException) as caught:
        service.wait_for_deployment(show_output=False)
    message = caught.value.message
    assert message.startswith("Service deployment polling reached non-successful terminal state, current "
                              "service state: Failed\n")
    assert "More information can be found using '.get_logs()'" in message
    assert "Call service.get_logs() for the full log." in message
    for fragment in log_fragments:
        assert fragment in message
        assert fragment in service.get_logs()
    assert service.state == "Failed"
    return message


def test_init_that_raises_fails_the_deployment(lab):
    service = deploy(lab, "init-fails", "init_fails_score.py", wait=False)
    message = assert_failed_deployment(service, "RuntimeError: init failed on purpose")
    assert "exit code 3" in message   # the real server's boot-error code


def test_model_file_the_script_cannot_load_fails_the_deployment(lab):
    service = deploy(lab, "wrong-model-file", "wrong_model_file_score.py", wait=False)
    assert_failed_deployment(service, "No such file or directory", "no_such_model.pkl")


def test_entry_script_missing_from_the_source_directory_fails_the_deployment(lab):
    (lab.work / "src").mkdir(exist_ok=True)
    (lab.work / "src" / "helper.py").write_text("VALUE = 1\n")
    (lab.work / "src" / "missing_score.py").write_text("def init():\n    pass\n")
    config = InferenceConfig(entry_script="missing_score.py", source_directory=str(lab.work / "src"),
                             environment=service_environment())
    # The SDK checks the file when the config is made; it is gone by the time the folder is snapshotted.
    (lab.work / "src" / "missing_score.py").unlink()
    service = Model.deploy(lab.ws, "missing-entry", [lab.model], config,
                           AciWebservice.deploy_configuration(cpu_cores=1, memory_gb=1))
    assert_failed_deployment(service, "missing_score.py")


def test_entry_script_missing_locally_is_refused_by_the_sdk(lab):
    with pytest.raises(WebserviceException, match="entry_script .*not_written_yet.py doesn't exist"):
        InferenceConfig(entry_script="not_written_yet.py", environment=service_environment())


def test_dead_service_process_turns_unhealthy(lab):
    service = deploy(lab, "will-die", "introspect_score.py")
    proc = next(s for s in housekeeping.list_services(housekeeping.Store(lab.home)) if s["name"] == "will-die")
    os.killpg(proc["pid"], signal.SIGKILL)   # a process this test started, by its PID
    deadline = time.monotonic() + 10
    while is_running(proc["pid"]) and time.monotonic() < deadline:
        time.sleep(0.1)
    with pytest.raises(WebserviceException) as caught:
        service.run(json.dumps({"introspect": True}))
    assert "Service 'will-die' is Unhealthy" in caught.value.message
    assert proc["log"] in caught.value.message
    assert Webservice(lab.ws, "will-die").state == "Unhealthy"


def test_several_models_share_the_azureml_models_folder(lab, small_model):
    save_model(small_model, lab.work / "second")
    other = Model.register(lab.ws, model_path="second", model_name="second_model")
    service = deploy(lab, "multi-model", "multi_model_score.py", models=[lab.model, other])
    info = service.run(json.dumps({}))
    assert info["model_dir"].endswith("azureml-models")
    # The module's workspace is shared: another test may have registered second_model before.
    assert info["files"] == [os.path.join("second_model", str(other.version), "second", "sklearn_mnist_model.pkl"),
                             os.path.join("sklearn_mnist", "1", "sklearn_mnist_model.pkl")]
    assert sorted(m.name for m in service.models) == ["second_model", "sklearn_mnist"]


def test_local_webservice_with_a_port(lab, small_model, mnist):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    service = deploy(lab, "local-svc", "introspect_score.py", config=LocalWebservice.deploy_configuration(port=port))
    assert isinstance(service, LocalWebservice)
    assert service.state == LocalWebservice.STATE_RUNNING
    assert service.scoring_uri == "http://127.0.0.1:{}/score".format(port)
    assert service.run(as_json_body(mnist["X_test"][:5])) == small_model.predict(mnist["X_test"][:5]).tolist()
    assert "ready for serving traffic" in service.get_logs()
    listed = LocalWebservice.list(lab.ws)   # the module's workspace may hold other tests' services too
    assert "local-svc" in [s.name for s in listed] and all(isinstance(s, LocalWebservice) for s in listed)
    service.delete()
    assert service.state == LocalWebservice.STATE_DELETED
    with pytest.raises(WebserviceException, match="WebserviceNotFound"):
        LocalWebservice(lab.ws, "local-svc")


def test_delete_stops_the_server(lab, capsys):
    service = deploy(lab, "delete-me", "introspect_score.py")
    pid = server_pid(lab, "delete-me")
    workers = [p.pid for p in psutil.Process(pid).children(recursive=True)]
    assert workers
    service.delete()
    assert service.state == "Deleting"
    assert not any(is_running(p) for p in [pid] + workers)
    with pytest.raises(WebserviceException, match="WebserviceNotFound"):
        Webservice(lab.ws, "delete-me")
    service.delete()
    assert "No service with name delete-me found to delete." in capsys.readouterr().out


def test_a_model_a_service_uses_cannot_be_deleted_until_the_service_is(lab):
    own = Model.register(lab.ws, model_path=str(lab.work / "sklearn_mnist_model.pkl"), model_name="kept-by-service")
    service = deploy(lab, "uses-model", "introspect_score.py", models=[own])
    with pytest.raises(WebserviceException, match="Response Code: 412"):
        own.delete()
    assert Model(lab.ws, "kept-by-service", version=own.version).version == own.version
    service.delete()
    own.delete()
    assert "kept-by-service" not in [m.name for m in Model.list(lab.ws)]


def test_redeploy_with_overwrite_stops_the_old_server(lab, mnist, small_model):
    deploy(lab, "overwritten", "introspect_score.py")
    old_pid = server_pid(lab, "overwritten")
    old_workers = [p.pid for p in psutil.Process(old_pid).children(recursive=True)]
    service = deploy(lab, "overwritten", "introspect_score.py", overwrite=True)
    assert not any(is_running(p) for p in [old_pid] + old_workers)
    assert server_pid(lab, "overwritten") != old_pid
    assert service.run(as_json_body(mnist["X_test"][:2])) == small_model.predict(mnist["X_test"][:2]).tolist()
    service.delete()


def test_run_on_a_failed_service_is_refused_with_its_state(lab):
    service = deploy(lab, "failed-run", "init_fails_score.py", wait=False)
    with pytest.raises(WebserviceException):
        service.wait_for_deployment()
    with pytest.raises(WebserviceException) as caught:
        service.run(json.dumps({"data": [[0.0] * 784]}))
    assert "Service 'failed-run' is Failed: its inference server is not running" in caught.value.message
    assert "RuntimeError: init failed on purpose" in caught.value.message


def test_get_keys_of_a_service_without_auth_says_why(lab):
    service = deploy(lab, "no-auth-keys", "introspect_score.py")
    with pytest.raises(WebserviceException) as caught:
        service.get_keys()
    assert "was deployed without key authentication (auth_enabled=False), so it has no keys" in str(caught.value)
    service.delete()


def test_a_multi_model_service_finds_each_model_with_get_model_path(lab, small_model):
    save_model(small_model, lab.work / "second")
    other = Model.register(lab.ws, model_path="second", model_name="second_model")
    service = deploy(lab, "get-model-path", "get_model_path_score.py", models=[lab.model, other])
    paths = json.loads(service.run(json.dumps({})))
    assert paths["sklearn_mnist"].endswith(os.path.join("azureml-models", "sklearn_mnist", "1",
                                                        "sklearn_mnist_model.pkl"))
    assert paths["second_model"].endswith(os.path.join("azureml-models", "second_model", str(other.version),
                                                       "second"))


ANSWER_SCRIPT = "def init():\n    pass\n\n\ndef run(raw_data):\n    return {{'version': {}}}\n"


def test_local_webservice_reload_serves_the_edited_script_on_the_same_port(lab):
    (lab.work / "answer.py").write_text(ANSWER_SCRIPT.format(1))
    service = Model.deploy(lab.ws, "local-reload", [lab.model],
                           InferenceConfig(entry_script="answer.py", environment=service_environment()),
                           LocalWebservice.deploy_configuration())
    service.wait_for_deployment()
    uri = service.scoring_uri
    assert service.run(json.dumps({})) == {"version": 1}
    (lab.work / "answer.py").write_text(ANSWER_SCRIPT.format(2))
    service.reload(wait=True)
    assert service.scoring_uri == uri
    assert service.run(json.dumps({})) == {"version": 2}
    service.delete()


def test_a_local_service_of_the_older_inference_config_runs_in_its_conda_files_build(lab, capsys):
    # runtime/conda_file/extra_docker_file_steps: the SDK would build a Docker image from them.
    (lab.work / "answer.py").write_text(ANSWER_SCRIPT.format(1))
    (lab.work / "myenv.yml").write_text(service_environment().python.conda_dependencies.serialize_to_string())
    (lab.work / "dockerstep").write_text("RUN echo not run here\n")
    config = InferenceConfig(runtime="python", entry_script="answer.py", conda_file="myenv.yml",
                             extra_docker_file_steps="dockerstep")
    service = Model.deploy(lab.ws, "local-legacy", [lab.model], config, LocalWebservice.deploy_configuration())
    service.wait_for_deployment()
    assert service.run(json.dumps({})) == {"version": 1}
    assert "its Docker settings (extra_docker_file_steps, base_image, GPU) are ignored" in capsys.readouterr().out
    (lab.work / "answer.py").write_text(ANSWER_SCRIPT.format(2))
    service.reload(wait=True)
    assert service.run(json.dumps({})) == {"version": 2}
    service.delete()


def test_local_webservice_update_changes_models_and_script(lab, small_model):
    (lab.work / "answer.py").write_text(ANSWER_SCRIPT.format(1))
    service = Model.deploy(lab.ws, "local-update", [lab.model],
                           InferenceConfig(entry_script="answer.py", environment=service_environment()),
                           LocalWebservice.deploy_configuration())
    service.wait_for_deployment()
    save_model(small_model, lab.work / "second")
    other = Model.register(lab.ws, model_path="second", model_name="second_model")
    shutil.copy(SCRIPTS / "multi_model_score.py", lab.work / "multi_model_score.py")
    service.update(models=[lab.model, other], wait=True,
                   inference_config=InferenceConfig(entry_script="multi_model_score.py",
                                                    environment=service_environment()))
    info = service.run(json.dumps({}))
    assert info["model_dir"].endswith("azureml-models")
    assert any(path.startswith("second_model") for path in info["files"])
    service.delete()


def test_a_source_directory_service_imports_and_reads_as_in_azures_container(lab):
    source = lab.work / "service-src"
    (source / "x" / "y").mkdir(parents=True)
    (source / "data").mkdir()
    (source / "helpers.py").write_text("ANSWER = 'from the source root'\n")
    (source / "data" / "labels.txt").write_text("zero,one\n")
    (source / "x" / "y" / "score.py").write_text(textwrap.dedent("""
        import os
        import helpers   # a module at the source directory's root, as Azure's server puts it on sys.path

        def init():
            global labels
            labels = open(os.path.join(os.path.dirname(__file__), '..', '..', 'data', 'labels.txt')).read()

        def run(raw_data):
            return {'helpers': helpers.ANSWER, 'labels': labels, 'cwd_entries': sorted(os.listdir('.'))}
        """))
    service = Model.deploy(lab.ws, "source-dir", [lab.model],
                           InferenceConfig(source_directory=str(source), entry_script="x/y/score.py",
                                           environment=service_environment()),
                           AciWebservice.deploy_configuration(cpu_cores=1, memory_gb=1))
    service.wait_for_deployment()
    answer = service.run(json.dumps({"data": []}))
    assert answer["helpers"] == "from the source root" and answer["labels"] == "zero,one\n"
    assert "azureml-models" in answer["cwd_entries"]   # the working directory is the app root
    service.delete()


def test_update_redeploys_in_place_on_the_same_scoring_uri(lab, mnist):
    service = deploy(lab, "to-update", "introspect_score.py")
    uri, first_pid = service.scoring_uri, server_pid(lab, "to-update")
    service.update(tags={"stage": "blue"}, description="first")   # metadata only: the server stays
    assert server_pid(lab, "to-update") == first_pid
    assert Webservice(lab.ws, "to-update").tags == {"stage": "blue"}
    assert [s.name for s in Webservice.list(lab.ws, tags=[["stage", "blue"]])] == ["to-update"]
    assert Webservice.list(lab.ws, tags=[["stage", "green"]]) == []
    assert "to-update" in [s.name for s in Webservice.list(lab.ws, tags=["stage"], model_id=lab.model.id)]
    shutil.copy(SCRIPTS / "versions_score.py", lab.work / "versions_score.py")
    service.update(inference_config=InferenceConfig(entry_script="versions_score.py",
                                                    environment=service_environment()), auth_enabled=True)
    service.wait_for_deployment()
    assert service.state == "Healthy" and service.scoring_uri == uri and server_pid(lab, "to-update") != first_pid
    primary, _secondary = service.get_keys()
    assert "sklearn" in service.run(json.dumps({"data": []}))   # the new script answers
    assert requests.post(uri, json={"data": []}).status_code == 401
    service.update(tags={"stage": "green"})
    assert service.get_keys()[0] == primary   # an update keeps the keys
    service.delete()


def test_an_update_of_a_field_azure_does_not_update_is_refused(lab):
    from azureml_emulator.errors import BadRequest
    from azureml_emulator.webservices import backend
    from azureml_emulator.ids import WorkspaceKey
    from azureml_emulator.store import Store
    service = deploy(lab, "no-such-field", "introspect_score.py")
    with pytest.raises(BadRequest, match="cannot change '/scoringUri'"):
        backend.update(Store(lab.home), WorkspaceKey.of(lab.ws), "no-such-field",
                       [{"op": "replace", "path": "/scoringUri", "value": "http://elsewhere"}])
    assert Webservice(lab.ws, "no-such-field").scoring_uri == service.scoring_uri
    service.delete()


def test_a_local_webservice_on_a_port_in_use_says_which_port(lab):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        shutil.copy(SCRIPTS / "introspect_score.py", lab.work / "introspect_score.py")
        with pytest.raises(WebserviceException, match="port {} is already in use on 127.0.0.1".format(port)):
            Model.deploy(lab.ws, "port-taken", [lab.model],
                         InferenceConfig(entry_script="introspect_score.py", environment=service_environment()),
                         LocalWebservice.deploy_configuration(port=port))
    with pytest.raises(WebserviceException, match="WebserviceNotFound|not found"):
        LocalWebservice(lab.ws, "port-taken")


def test_a_no_code_scikit_learn_deployment_answers_predict_and_predict_proba(lab, small_model, mnist):
    import sklearn
    model = Model.register(lab.ws, model_path=str(lab.work / "sklearn_mnist_model.pkl"), model_name="no-code",
                           model_framework=Model.Framework.SCIKITLEARN, model_framework_version=sklearn.__version__)
    service = Model.deploy(lab.ws, "no-code-svc", [model],
                           deployment_config=AciWebservice.deploy_configuration(cpu_cores=1, memory_gb=1))
    service.wait_for_deployment()
    images = mnist["X_test"][:5]
    assert service.run(json.dumps({"data": images.tolist()})) == small_model.predict(images).tolist()
    probabilities = service.run(json.dumps({"data": images.tolist(), "method": "predict_proba"}))
    assert np.allclose(probabilities, small_model.predict_proba(images))
    with pytest.raises(WebserviceException, match="Response Code: 500"):
        service.run(json.dumps({"data": images.tolist(), "method": "fit"}))
    service.delete()


def test_no_code_deployment_of_another_framework_says_it_is_not_emulated(lab):
    model = Model.register(lab.ws, model_path=str(lab.work / "sklearn_mnist_model.pkl"), model_name="onnx-like",
                           model_framework=Model.Framework.ONNX, model_framework_version="1.8")
    service = Model.deploy(lab.ws, "no-code-onnx", [model],
                           deployment_config=AciWebservice.deploy_configuration(cpu_cores=1, memory_gb=1))
    with pytest.raises(WebserviceException, match="not emulated by azureml_emulator: no-code deployment of Onnx"):
        service.wait_for_deployment()


def test_a_local_webservice_deploys_to_the_cloud_with_its_models_and_configuration(lab, mnist, small_model):
    local = deploy(lab, "local-first", "introspect_score.py", config=LocalWebservice.deploy_configuration())
    cloud = local.deploy_to_cloud(name="cloud-after",
                                  deployment_config=AciWebservice.deploy_configuration(cpu_cores=1, memory_gb=1))
    cloud.wait_for_deployment()
    assert isinstance(cloud, AciWebservice) and cloud.state == "Healthy"
    assert cloud.run(as_json_body(mnist["X_test"][:3])) == small_model.predict(mnist["X_test"][:3]).tolist()
    assert [m.name for m in cloud.models] == ["sklearn_mnist"]
    cloud.delete()
    local.delete()


def test_a_no_code_deployment_loads_a_model_pickled_with_dill(lab, mnist):
    """Azure's prebuilt scikit-learn container holds dill, so a model saved with it loads."""
    import dill
    import sklearn
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import FunctionTransformer
    # Defined in a notebook, as users define it: dill pickles the function itself.
    halve = eval("lambda x: x / 2.0", {"__name__": "__main__"})
    model = make_pipeline(FunctionTransformer(halve), LogisticRegression(max_iter=200)).fit(
        mnist["X_train"][:500], mnist["y_train"][:500])
    with open(lab.work / "dill_model.pkl", "wb") as out:
        dill.dump(model, out)
    registered = Model.register(lab.ws, model_path=str(lab.work / "dill_model.pkl"), model_name="dill-model",
                                model_framework=Model.Framework.SCIKITLEARN, model_framework_version=sklearn.__version__)
    service = Model.deploy(lab.ws, "no-code-dill", [registered],
                           deployment_config=AciWebservice.deploy_configuration(cpu_cores=1, memory_gb=1))
    service.wait_for_deployment()
    images = mnist["X_test"][:5]
    assert service.run(json.dumps({"data": images.tolist()})) == model.predict(images).tolist()
    service.delete()
