"""Builds, jobs and services see nothing of the kernel, tested from inside the `azureml-emulator`
kernel, where a leak was found: a kernel whose PYTHONPATH names its own site-packages (as a
user's profile or a Jupyter launcher may set it) built a Python 3.6 Environment whose source-only
package's build backend imported the kernel's setuptools, written for Python 3.11."""
import json
import os
import site
import subprocess
import sys

import nbformat
import pytest
from nbclient import NotebookClient

from azureml_emulator.environments import interpreters
from helpers import REPO

PROBE = """import json, os, sys
import jsonlogging
print("PROBE", json.dumps({"path": sys.path, "pythonpath": os.environ.get("PYTHONPATH", ""),
                           "executable": sys.executable, "version": "%d.%d" % sys.version_info[:2]}))
"""
CELL = """from azureml.core import Environment, Experiment, ScriptRunConfig, Workspace
from azureml.core.conda_dependencies import CondaDependencies
ws = Workspace.from_config()
env = Environment("leak-check")
# json-logging-py 0.2 is published as source only: its build backend runs in Python 3.6.
env.python.conda_dependencies = CondaDependencies.create(python_version="3.6", pip_packages=["json-logging-py==0.2"])
env.python.conda_dependencies.remove_pip_package("azureml-defaults")
run = Experiment(ws, "leak").submit(ScriptRunConfig(source_directory="src", script="probe.py",
                                                    compute_target="local", environment=env))
run.wait_for_completion(show_output=False, raise_on_error=False)
print("STATUS", run.get_status())
print(run.get_details_with_logs()["logFiles"]["user_logs/std_log.txt"])
"""


def test_a_kernel_whose_pythonpath_names_its_site_packages_builds_and_runs_python_3_6_untouched(
        tmp_path, monkeypatch):
    if interpreters.find("3.6") is None:   # every developer's and CI's machine has it
        pytest.skip("this machine has no Python 3.6")
    prefix = tmp_path / "prefix"
    subprocess.run([sys.executable, "-m", "azureml_emulator", "kernel", "install", "--prefix", str(prefix),
                    "--name", "emu-leak"], cwd=REPO, capture_output=True, text=True, check=True)
    spec_file = prefix / "share" / "jupyter" / "kernels" / "emu-leak" / "kernel.json"
    spec = json.loads(spec_file.read_text())
    kernel_packages = site.getsitepackages()[0]
    spec.setdefault("env", {})["PYTHONPATH"] = os.pathsep.join([str(REPO), kernel_packages])
    spec_file.write_text(json.dumps(spec))
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "probe.py").write_text(PROBE)
    monkeypatch.setenv("JUPYTER_PATH", str(prefix / "share" / "jupyter"))
    monkeypatch.setenv("AZUREML_EMULATOR_HOME", str(tmp_path / "home"))
    # A fresh build cache, and no uv cache either, so the source build really runs in this test.
    monkeypatch.setenv("AZUREML_EMULATOR_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("UV_NO_CACHE", "1")
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(CELL)])
    NotebookClient(notebook, kernel_name="emu-leak", timeout=600,
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    text = "".join(output.get("text", "") for output in notebook.cells[0].outputs)
    assert "STATUS Completed" in text, text
    report = json.loads(text.split("PROBE ", 1)[1].splitlines()[0])
    assert report["version"] == "3.6"
    kernel_prefix = os.path.realpath(sys.prefix)
    assert [p for p in report["path"] if p and os.path.realpath(p).startswith((kernel_prefix, str(REPO)))] == []
    assert kernel_packages not in report["pythonpath"] and str(REPO) not in report["pythonpath"]
    assert not os.path.realpath(report["executable"]).startswith(kernel_prefix)
