"""The housekeeping command line, on a home with a real running service."""
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from azureml.core import Model, Workspace
from azureml.core.model import InferenceConfig
from azureml.core.webservice import AciWebservice

from azureml_emulator import emulate
from helpers import SCRIPTS, is_running, save_model, service_environment


def cli(home, *args, check=True):
    return subprocess.run([sys.executable, "-m", "azureml_emulator", "--home", str(home), *args],
                          capture_output=True, text=True, check=check)


@pytest.fixture
def populated_home(tmp_path, monkeypatch, small_model):
    home = tmp_path / "home"
    monkeypatch.chdir(tmp_path)
    save_model(small_model, tmp_path)
    shutil.copy(SCRIPTS / "introspect_score.py", tmp_path / "score.py")
    with emulate(home=home):
        ws = Workspace.from_config()
        model = Model.register(ws, model_path="sklearn_mnist_model.pkl", model_name="sklearn_mnist",
                               description="cli test model")
        env = service_environment("tutorial-env").register(ws)
        service = Model.deploy(ws, "cli-svc", [model], InferenceConfig(entry_script="score.py", environment=env),
                               AciWebservice.deploy_configuration(cpu_cores=1, memory_gb=1))
        service.wait_for_deployment()
    yield home
    cli(home, "reset", "--yes", check=False)


def service_pid(home):
    line = [l for l in cli(home, "services").stdout.splitlines() if "cli-svc" in l][0]
    return int(line.split()[-1])


def test_lists(populated_home):
    assert "sklearn_mnist" in cli(populated_home, "models").stdout
    assert "cli test model" in cli(populated_home, "models").stdout
    assert "tutorial-env" in cli(populated_home, "environments").stdout
    services = cli(populated_home, "services").stdout
    assert "cli-svc" in services and "Healthy" in services and "http://127.0.0.1:" in services


def test_logs_and_delete(populated_home):
    assert "ready for serving traffic" in cli(populated_home, "logs", "cli-svc").stdout
    pid = service_pid(populated_home)
    assert is_running(pid)
    assert cli(populated_home, "delete", "cli-svc").stdout.strip() == "Deleted service cli-svc."
    assert not is_running(pid)
    assert "(none)" in cli(populated_home, "services").stdout
    missing = cli(populated_home, "delete", "cli-svc", check=False)
    assert missing.returncode == 2 and "no service named 'cli-svc'" in missing.stderr


def test_reset_stops_services_and_erases_state(populated_home):
    pid = service_pid(populated_home)
    out = cli(populated_home, "reset", "--yes").stdout
    assert "services and jobs stopped" in out
    assert not is_running(pid)
    assert "(none)" in cli(populated_home, "models").stdout
    assert not (populated_home / "artifacts").exists()


def test_reset_asks_first(populated_home):
    refused = subprocess.run([sys.executable, "-m", "azureml_emulator", "--home", str(populated_home), "reset"],
                             input="n\n", capture_output=True, text=True)
    assert refused.returncode == 1 and "Nothing erased" in refused.stdout
    assert "sklearn_mnist" in cli(populated_home, "models").stdout


def test_console_script_is_installed(tmp_path):
    script = Path(sys.executable).parent / "azureml-emulator"
    out = subprocess.run([str(script), "--home", str(tmp_path), "home"], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == str(tmp_path.resolve())


def test_services_shows_the_live_state_after_the_server_died(populated_home):
    pid = service_pid(populated_home)
    os.killpg(pid, signal.SIGKILL)   # a server this test's fixture started, by its PID
    deadline = time.monotonic() + 10
    while is_running(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    line = [l for l in cli(populated_home, "services").stdout.splitlines() if "cli-svc" in l][0]
    assert line.split()[2] == "Unhealthy"


def test_an_unreadable_database_is_one_clear_error_and_reset_recovers(tmp_path):
    (tmp_path / "workspace.db").write_bytes(b"not a database" * 200)
    refused = cli(tmp_path, "models", check=False)
    assert refused.returncode == 2
    assert "state database {} cannot be read".format(tmp_path / "workspace.db") in refused.stderr
    assert "Traceback" not in refused.stderr
    cli(tmp_path, "reset", "--yes")
    assert "(none)" in cli(tmp_path, "models").stdout
