"""What the tests share besides fixtures: the repository's paths, and helpers that save a model,
describe the test Environment, deploy a test script, submit a job and read what it printed.
Tests import them from here (`from helpers import ...`); conftest.py holds only fixtures and hooks."""
import os
import shutil
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path

import joblib
import numpy as np

REPO = Path(__file__).resolve().parent.parent
SCRIPTS = Path(__file__).resolve().parent / "scripts"
MNIST_DIR = REPO / "azureml_emulator" / "data_access" / "mnist"
sys.path.insert(0, str(REPO))   # utils.py lives at the tutorial root


def save_model(model, folder, name="sklearn_mnist_model.pkl") -> Path:
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    joblib.dump(model, path)
    return path


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


def kernel_environment():
    """An Environment whose jobs run in this kernel's own Python (`user_managed_dependencies`), for tests
    whose scripts need what the kernel has (azureml-dataprep, pandas, MLflow) and no build of their own."""
    from azureml.core import Environment
    env = Environment("kernel-python")
    env.python.user_managed_dependencies = True
    return env


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


@contextmanager
def emulated_cluster(prefix):
    """For the benchmarks: a fresh folder (the working directory) with an emulated workspace and a
    two-node cluster, "cpu-cluster"; yields (folder, workspace, cluster) and stops every process
    the emulator started there afterwards."""
    from azureml.core import Workspace
    from azureml.core.compute import AmlCompute, ComputeTarget
    from azureml_emulator import emulate
    from azureml_emulator.tools import housekeeping
    work = Path(tempfile.mkdtemp(prefix=prefix))
    os.chdir(work)
    with emulate(home=work / "home") as emulator:
        try:
            ws = Workspace.from_config()
            yield work, ws, ComputeTarget.create(ws, "cpu-cluster", AmlCompute.provisioning_configuration(
                vm_size="STANDARD_D2_V2", max_nodes=2))
        finally:
            housekeeping.stop_all(emulator.home)
