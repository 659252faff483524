"""Shared fixtures: real MNIST, real scikit-learn models, and an emulated workspace."""
import os
import shutil
import sys
import tempfile
from pathlib import Path

import joblib
import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

REPO = Path(__file__).resolve().parent.parent
SCRIPTS = Path(__file__).resolve().parent / "scripts"
MNIST_DIR = REPO / "azureml_emulator" / "data_access" / "mnist"
sys.path.insert(0, str(REPO))   # utils.py lives at the tutorial root

from utils import load_data  # noqa: E402


# The compute-instance notebooks run only in that kernel, through tests/compute_instance, never in
# the session's own kernel (`make test` passes --nbval, which would collect every notebook under tests/).
collect_ignore_glob = ["compute_instance/*.ipynb"]


def pytest_configure(config):
    # Kernels started by nbval inherit this fresh home, so a test run never
    # touches the user's own emulator state; the plugin stops its services at the end.
    os.environ["AZUREML_EMULATOR_HOME"] = tempfile.mkdtemp(prefix="azureml-emulator-tests-")


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(session, config, items):
    """The tests run in random order (pytest-randomly, seed printed in the header), but a
    notebook's cells (nbval) run in the notebook's own order, in the places they were given."""
    places = [i for i, item in enumerate(items) if type(item).__name__ == "IPyNbCell"]
    cells = sorted((items[i] for i in places), key=lambda cell: (str(cell.path), cell.cell_num))
    for place, cell in zip(places, cells):
        items[place] = cell


def pytest_unconfigure(config):
    # After the session's services are stopped, the run's home goes too.
    shutil.rmtree(os.environ.pop("AZUREML_EMULATOR_HOME", ""), ignore_errors=True)


@pytest.fixture(scope="session")
def mnist():
    return {
        "X_train": load_data(MNIST_DIR / "train-images-idx3-ubyte.gz") / 255.0,
        "y_train": load_data(MNIST_DIR / "train-labels-idx1-ubyte.gz", label=True).reshape(-1),
        "X_test": load_data(MNIST_DIR / "t10k-images-idx3-ubyte.gz") / 255.0,
        "y_test": load_data(MNIST_DIR / "t10k-labels-idx1-ubyte.gz", label=True).reshape(-1),
    }


@pytest.fixture(scope="session")
def small_model(mnist):
    """A real (small, quick) MNIST classifier for deployment plumbing tests."""
    return LogisticRegression(max_iter=200).fit(mnist["X_train"][:1000], mnist["y_train"][:1000])


def save_model(model, folder, name="sklearn_mnist_model.pkl") -> Path:
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    joblib.dump(model, path)
    return path


@pytest.fixture
def ws(azureml_emulator, tmp_path, monkeypatch):
    """A workspace from Workspace.from_config() in an empty folder (no config.json)."""
    from azureml.core import Workspace
    monkeypatch.chdir(tmp_path)
    return Workspace.from_config()


# What the tutorial's score.py and the test scripts import, pinned to the versions this
# kernel trains with, as the tutorial's tutorial-env pins them: one build serves every test.
SERVICE_PINS = ("scikit-learn", "numpy", "joblib", "msgspec", "pysimdjson")


def service_environment(name="test-env", pins=SERVICE_PINS, extra=(), azureml_defaults=True):
    """An Environment a deployment can run in (built as Azure builds it): azureml-defaults,
    then ``pins`` at this kernel's versions, then ``extra`` requirements."""
    from importlib.metadata import version
    from azureml.core import Environment
    from azureml.core.conda_dependencies import CondaDependencies
    env = Environment(name)
    env.python.conda_dependencies = CondaDependencies.create(
        python_version="%d.%d" % sys.version_info[:2],
        pip_packages=(["azureml-defaults"] if azureml_defaults else [])
        + ["{}=={}".format(p, version(p)) for p in pins] + list(extra))
    return env


@pytest.fixture
def lab(tmp_path, monkeypatch, small_model):
    """An emulated workspace of its own, with the small model registered as sklearn_mnist;
    the test's services are stopped afterwards."""
    from types import SimpleNamespace
    from azureml.core import Model, Workspace
    from azureml_emulator import emulate
    from azureml_emulator.tools import housekeeping
    monkeypatch.chdir(tmp_path)
    save_model(small_model, tmp_path)
    with emulate(home=tmp_path / "home") as emulator:
        ws = Workspace.from_config()
        model = Model.register(ws, model_path="sklearn_mnist_model.pkl", model_name="sklearn_mnist")
        try:
            yield SimpleNamespace(ws=ws, model=model, work=tmp_path, home=emulator.home)
        finally:
            housekeeping.stop_all(emulator.home)


def deploy_script(lab, name, script, environment=None, wait=True):
    """Deploy a test script from tests/scripts to ACI (cpu_cores=1, memory_gb=1), as the tutorial deploys."""
    from azureml.core import Model
    from azureml.core.model import InferenceConfig
    from azureml.core.webservice import AciWebservice
    shutil.copy(SCRIPTS / script, lab.work / script)
    service = Model.deploy(lab.ws, name, [lab.model],
                           InferenceConfig(entry_script=script, environment=environment or service_environment()),
                           AciWebservice.deploy_configuration(cpu_cores=1, memory_gb=1))
    if wait:
        service.wait_for_deployment(show_output=True)
    return service


def service_pid(home, name) -> int:
    """The PID of a service's container (its supervisor process), from the CLI's listing."""
    from azureml_emulator.tools import housekeeping
    return next(s for s in housekeeping.list_services(housekeeping.Store(home)) if s["name"] == name)["pid"]


def as_json_body(images) -> bytes:
    import json
    return json.dumps({"data": np.asarray(images).tolist()}).encode()


def is_running(pid) -> bool:
    """True while the process exists and has not exited (an exited one may linger
    briefly as a zombie until init reaps it)."""
    import psutil
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


@pytest.fixture
def cluster(tmp_path, monkeypatch):
    """An emulated workspace of its own with a two-node AmlCompute cluster and an Environment
    that has azureml-defaults; the test's jobs are stopped afterwards."""
    from types import SimpleNamespace
    from azureml.core import Experiment, Workspace
    from azureml.core.compute import AmlCompute, ComputeTarget
    from azureml_emulator import emulate
    from azureml_emulator.tools import housekeeping
    monkeypatch.chdir(tmp_path)
    with emulate(home=tmp_path / "home") as emulator:
        ws = Workspace.from_config()
        target = ComputeTarget.create(ws, "cpu-cluster", AmlCompute.provisioning_configuration(
            vm_size="STANDARD_D2_V2", min_nodes=0, max_nodes=2))
        try:
            yield SimpleNamespace(ws=ws, target=target, work=tmp_path, home=emulator.home,
                                  experiment=Experiment(ws, "tests"), environment=service_environment())
        finally:
            housekeeping.stop_all(emulator.home)


def submit_script(cluster, source, arguments=(), files=None, target=None, environment=None, folder="job"):
    """Write ``source`` as train.py (and ``files``) into a fresh script folder and submit it."""
    from azureml.core import ScriptRunConfig
    script_folder = cluster.work / folder
    script_folder.mkdir(exist_ok=True)
    (script_folder / "train.py").write_text(source)
    for name, text in (files or {}).items():
        (script_folder / name).write_text(text)
    return cluster.experiment.submit(ScriptRunConfig(
        source_directory=str(script_folder), script="train.py", arguments=list(arguments),
        compute_target=target or cluster.target, environment=environment or cluster.environment))


def service_environment_with(*extra):
    """The test Environment plus ``extra`` packages, at this kernel's versions."""
    return service_environment(name="test-env-extra", pins=SERVICE_PINS + tuple(extra))


def job_log(run) -> str:
    """What a run's job printed (its user_logs/std_log.txt)."""
    return run.get_details_with_logs()["logFiles"]["user_logs/std_log.txt"]


def storage_error(answer) -> tuple[str, str]:
    """(code, message) of Azure Storage's XML error reply, whose code is also its ``x-ms-error-code``."""
    from xml.etree import ElementTree
    error = ElementTree.fromstring(answer.content)
    assert answer.headers["x-ms-error-code"] == error.findtext("Code")
    return error.findtext("Code"), error.findtext("Message")
