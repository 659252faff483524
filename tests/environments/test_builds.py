"""Deployments run in a build of their registered Environment, as Azure builds an image:
what the definition pins is what the service imports, nothing of the kernel's packages is
visible, and a build or an import that would fail on Azure fails here with Azure's words.
Real builds with uv against the package index (reachable in CI)."""
import json
import os
import re
import shutil
import sys

import pytest
from azureml.core import Model, Workspace
from azureml.core.model import InferenceConfig
from azureml.core.webservice import AciWebservice
from azureml.exceptions import WebserviceException

from azureml_emulator import emulate
from azureml_emulator.environments import builder
from azureml_emulator.tools import housekeeping
from azureml_emulator.webservices import backend
from helpers import SCRIPTS, deploy_script, save_model, service_environment


def deploy(lab, name, script, environment, wait=True):
    return deploy_script(lab, name, script, environment, wait)


def failure(service):
    with pytest.raises(WebserviceException) as caught:
        service.wait_for_deployment(show_output=True)
    assert service.state == "Failed"
    return caught.value.message


def test_the_service_imports_the_pinned_versions_not_the_kernels(lab):
    """scikit-learn 1.5.2 and NumPy 1.26.4: what the Environment pins, whatever the kernel has."""
    env = service_environment("old-stack", pins=(), extra=["scikit-learn==1.5.2", "numpy==1.26.4", "joblib==1.4.2"])
    shutil.copy(SCRIPTS / "versions_score.py", lab.work / "versions_score.py")
    service = deploy(lab, "old-stack", "versions_score.py", env)
    info = service.run(json.dumps({"ping": 1}))
    assert (info["sklearn"], info["numpy"], info["joblib"]) == ("1.5.2", "1.26.4", "1.4.2")
    assert info["executable"].startswith(str(builder.cache_root()))
    assert info["has_msgspec"] is False   # the kernel has msgspec; the environment does not
    kernel_site = [p for p in sys.path if p.endswith("site-packages")]
    assert not any(p in info["path"] for p in kernel_site)


def test_a_package_the_environment_lacks_fails_init_as_on_azure(lab):
    env = service_environment("no-msgspec", pins=("scikit-learn", "numpy", "joblib"))
    service = deploy(lab, "lacks-msgspec", "needs_msgspec_score.py", env, wait=False)
    message = failure(service)
    assert '"code": "AciDeploymentFailed"' in message
    assert ("Aci Deployment failed with exception: Error in entry script, ModuleNotFoundError: No module named "
            "'msgspec', please run print(service.get_logs()) to get details.") in message
    assert '"code": "CrashLoopBackOff"' in message
    assert "ModuleNotFoundError: No module named 'msgspec'" in service.get_logs()


def test_an_unsatisfiable_pin_fails_the_build_naming_the_package(lab):
    env = service_environment("ancient", pins=(), extra=["scikit-learn==0.22.1"])
    service = deploy(lab, "ancient-pin", "versions_score.py", env, wait=False)
    message = failure(service)
    assert '"code": "EnvironmentBuildFailed"' in message
    assert "Failed building the Environment ancient" in message
    assert "scikit-learn==0.22.1" in message
    build_log = re.search(r"Build log: (\S+?\.failed\.log)", message).group(1)
    assert os.path.isfile(build_log)   # kept where the message says
    logs = service.get_logs()
    assert "scikit-learn==0.22.1" in logs and "The installer's log:\n$ " in logs


def test_a_python_the_pins_cannot_run_on_says_which_python_the_environment_asked_for(lab):
    env = service_environment("default-python", pins=(), extra=["scikit-learn==1.8.0"])
    env.python.conda_dependencies.set_python_version("3.10.18")
    message = failure(deploy(lab, "wrong-python", "versions_score.py", env, wait=False))
    assert "The Environment's Python is 3.10.18 (CondaDependencies.create() defaults to 3.10" in message


def test_an_environment_without_azureml_defaults_fails_as_azures_container_does(lab):
    env = service_environment("no-defaults", azureml_defaults=False)
    service = deploy(lab, "no-defaults", "versions_score.py", env, wait=False)
    failure(service)
    assert "exec: gunicorn: not found" in service.get_logs()


def test_the_same_definition_reuses_its_build_under_any_name(lab, capsys, monkeypatch):
    # The build's lines are in the progress show_output streams after a first poll answered Running.
    monkeypatch.setattr(backend, "FIRST_POLL_WAIT_SECONDS", 0)
    deploy(lab, "first-build", "versions_score.py", service_environment("one-name"))
    capsys.readouterr()
    deploy(lab, "reused-build", "versions_score.py", service_environment("another-name"))
    assert "Reusing image for environment another-name (" in capsys.readouterr().out


def test_an_offline_build_comes_from_uvs_cache_or_says_how_to_build_ahead(lab, tmp_path, monkeypatch, capsys):
    """No index reachable (every request goes to a closed local port): a definition whose
    packages uv has cached still builds; one it has not fails saying what to do."""
    # The build's lines are in the progress show_output streams after a first poll answered Running.
    monkeypatch.setattr(backend, "FIRST_POLL_WAIT_SECONDS", 0)
    deploy(lab, "warm-cache", "versions_score.py", service_environment())   # uv's cache holds these
    monkeypatch.setenv("AZUREML_EMULATOR_CACHE", str(tmp_path / "empty-build-cache"))
    monkeypatch.setenv("UV_HTTP_RETRIES", "0")   # fail each unreachable request at once
    for variable in ("HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY", "https_proxy", "http_proxy", "all_proxy"):
        monkeypatch.setenv(variable, "http://127.0.0.1:9")
    capsys.readouterr()
    deploy(lab, "offline-build", "versions_score.py", service_environment())
    assert "Built from uv's cache: the package index is unreachable" in capsys.readouterr().out
    never_cached = service_environment("never-cached", pins=(), extra=["azureml-emulator-no-such-package==0.0.1"])
    message = failure(deploy(lab, "offline-fails", "versions_score.py", never_cached, wait=False))
    assert "The package index is unreachable and uv's cache cannot satisfy this environment" in message
    assert "azureml-emulator environments build never-cached" in message


def test_environments_current_serves_with_the_kernels_python(tmp_path, monkeypatch, small_model, capsys):
    monkeypatch.chdir(tmp_path)
    save_model(small_model, tmp_path)
    shutil.copy(SCRIPTS / "versions_score.py", tmp_path / "versions_score.py")
    with emulate(home=tmp_path / "home", environments="current"):
        assert "WARNING environments='current'" in capsys.readouterr().out
        ws = Workspace.from_config()
        model = Model.register(ws, model_path="sklearn_mnist_model.pkl", model_name="m")
        service = Model.deploy(ws, "current-python", [model],
                               InferenceConfig(entry_script="versions_score.py",
                                               environment=service_environment(pins=("numpy",))),
                               AciWebservice.deploy_configuration(cpu_cores=1, memory_gb=1))
        try:
            service.wait_for_deployment(show_output=True)
            info = service.run(json.dumps({}))
            assert os.path.realpath(info["executable"]) == os.path.realpath(sys.executable)
            assert info["has_msgspec"] is True   # the kernel's packages, not the environment's
        finally:
            housekeeping.stop_all_services(tmp_path / "home")


def test_an_unknown_environments_mode_is_refused(tmp_path):
    with pytest.raises(ValueError, match="expected 'build'"):
        emulate(home=tmp_path, environments="docker").__enter__()
