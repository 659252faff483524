"""Shared fixtures and hooks: real MNIST, real scikit-learn models, and an emulated workspace.
The helpers tests call are in helpers.py."""
import os
import shutil
import tempfile

import pytest
from sklearn.linear_model import LogisticRegression

from helpers import MNIST_DIR, save_model, service_environment
from utils import load_data  # utils.py lives at the tutorial root, which helpers puts on sys.path


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


def serial_group(nodeid):
    """The tests that must run in one process, one after another, when pytest-xdist spreads the
    suite over several (`make test` passes -n): a notebook's cells share its kernel, the tutorial's
    parts share one home (part 2 deploys the model part 1 registered), and the compute-instance
    tests share one kernel, built once. None for a test that can run anywhere."""
    path = nodeid.split("::", 1)[0]
    if path.startswith("tests/compute_instance/"):
        return "compute-instance-kernel"
    if path.endswith(".ipynb"):
        return "tutorial" if "/" not in path else path
    return None


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """Each serial group is one unit of work for a single worker, in collection order; the
    largest units are handed out first (xdist's scope scheduling), every other test one by one."""
    from xdist.scheduler import LoadScopeScheduling

    class SerialGroups(LoadScopeScheduling):
        def _split_scope(self, nodeid):
            return serial_group(nodeid) or nodeid

    return SerialGroups(config, log)


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


@pytest.fixture
def ws(azureml_emulator, tmp_path, monkeypatch):
    """A workspace from Workspace.from_config() in an empty folder (no config.json)."""
    from azureml.core import Workspace
    monkeypatch.chdir(tmp_path)
    return Workspace.from_config()


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
