"""Notebooks written from the SDK v1 documentation's flows, run with nbval in a kernel like a
compute instance's (Python 3.10, the SDK with its own scikit-learn, NumPy, pandas and MLflow, the
emulator installed alone; see ci_kernel.py), not in the project's own environment: the guard
against testing only the project's configuration.

Each notebook runs in a folder of its own (it writes its scripts there, beside a config.json as
a compute instance has one) against a fresh emulator home, through nbval in lax mode: the outputs
carry run ids, times and paths, so the cells check what matters with ``assert``s and nbval fails a
cell that raises. The notebooks delete their services and wait for their runs; what is still
running when one ends is reported as a failure (and stopped).
"""
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from azureml_emulator.store import Store
from azureml_emulator.store.database import DATABASE_NAME
from azureml_emulator.tools import housekeeping
from ci_kernel import KERNEL_NAME, find_python, install_kernelspec, prepared

HERE = Path(__file__).resolve().parent
NOTEBOOKS = sorted(path.name for path in HERE.glob("*.ipynb"))
CONFIG = {"subscription_id": "5f0c1e2a-0000-4000-8000-00000000c1c1", "resource_group": "ci-kernel-rg",
          "workspace_name": "ci-kernel-ws"}
TIMEOUT = 1800   # a cold run builds each Environment the notebook uses (uv, from the package index)
FINISHED = {"Completed", "Failed", "Canceled"}
COLOURS = re.compile(r"\x1b\[[0-9;]*m")   # IPython colours the tracebacks nbval reports


@pytest.fixture(scope="session")
def compute_instance_kernel(tmp_path_factory):
    python = find_python()
    if python is None:
        pytest.skip("no Python 3.10 on this machine (looked on PATH, under pyenv and uv's Pythons): "
                    "the compute-instance kernel is a Python 3.10 environment")
    scratch = tmp_path_factory.mktemp("compute-instance-kernel")
    with prepared(python, scratch) as kernel:
        jupyter_path = install_kernelspec(kernel, scratch / "prefix")
        print("compute-instance kernel: {} (built in {:.0f} s, emulator installed in {:.1f} s)".format(
            kernel.venv, kernel.build_seconds, kernel.install_seconds))
        yield kernel, jupyter_path


def left_running(home: Path) -> list[str]:
    """The services not deleted and the runs not finished in ``home``."""
    if not (home / DATABASE_NAME).exists():
        return []
    store = Store(home)
    try:
        return (["service {} ({})".format(s["name"], s["state"]) for s in housekeeping.list_services(store)]
                + ["run {} ({})".format(r["run_id"], r["status"]) for r in housekeeping.list_runs(store)
                   if r["status"] not in FINISHED])
    finally:
        store.close()


def run_nbval(notebook: Path, jupyter_path: Path, home: Path, scratch: Path) -> tuple[int, str]:
    """nbval, from this test environment's pytest, on ``notebook`` in the compute-instance kernel;
    the whole process group (pytest and its kernel) is killed if it overruns."""
    env = {name: value for name, value in os.environ.items() if name not in ("PYTHONPATH", "JUPYTER_PATH")}
    env.update(JUPYTER_PATH=str(jupyter_path), AZUREML_EMULATOR_HOME=str(home),
               JUPYTER_RUNTIME_DIR=str(scratch / "jupyter-runtime"), IPYTHONDIR=str(scratch / "ipython"))
    command = [sys.executable, "-m", "pytest", "--nbval-lax", notebook.name, "--nbval-kernel-name", KERNEL_NAME,
               # cells in order; the services and jobs left are this test's to find, not the plugin's to stop
               "-p", "no:randomly", "-p", "no:cacheprovider", "-p", "no:azureml_emulator",
               "-v", "--durations=0", "--durations-min=1"]
    process = subprocess.Popen(command, cwd=notebook.parent, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        output, _ = process.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        output, _ = process.communicate()
        output += "\n[killed after {} s]".format(TIMEOUT)
    return process.returncode, COLOURS.sub("", output)


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_a_documented_flow_runs_in_a_compute_instance_kernel(notebook, compute_instance_kernel, tmp_path):
    kernel, jupyter_path = compute_instance_kernel
    work = tmp_path / "work"
    work.mkdir()
    shutil.copy(HERE / notebook, work / notebook)
    (work / "config.json").write_text(json.dumps(CONFIG))
    (work / "pytest.ini").write_text("[pytest]\n")   # the notebook's folder is nbval's rootdir
    home = tmp_path / "home"
    started = time.monotonic()
    try:
        code, output = run_nbval(work / notebook, jupyter_path, home, tmp_path)
        left = left_running(home)
    finally:
        housekeeping.stop_all(home)
    print("{} ran in {:.0f} s in {} (scikit-learn {}, pandas {}, mlflow {})\n{}".format(
        notebook, time.monotonic() - started, kernel.venv, kernel.versions.get("scikit-learn"),
        kernel.versions.get("pandas"), kernel.versions.get("mlflow"), output))
    assert code == 0, "nbval failed on {}:\n{}".format(notebook, output[-30000:])
    assert not left, "{} left these running: {}".format(notebook, left)
