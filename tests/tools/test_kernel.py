"""The kernel command writes a kernelspec any Jupyter can find, starting this Python with
the emulator on, from a source checkout too."""
import json
import subprocess
import sys

import nbformat
from nbclient import NotebookClient

from helpers import REPO


def test_kernel_install_into_a_prefix_runs_cells_with_the_emulator_on(tmp_path, monkeypatch):
    done = subprocess.run([sys.executable, "-m", "azureml_emulator", "kernel", "install", "--prefix",
                           str(tmp_path / "prefix"), "--name", "emu-here", "--display-name", "Emulator here"],
                          cwd=REPO, capture_output=True, text=True, check=True)
    folder = tmp_path / "prefix" / "share" / "jupyter" / "kernels" / "emu-here"
    assert done.stdout.strip() == "Installed the kernel 'emu-here' in {}".format(folder)
    spec = json.loads((folder / "kernel.json").read_text())
    assert spec["argv"][:3] == [sys.executable, "-m", "azureml_emulator.tools.kernel"]
    assert spec["display_name"] == "Emulator here"
    assert spec["env"]["PYTHONPATH"] == str(REPO)   # this checkout, not an installed copy

    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "prefix" / "share" / "jupyter"))
    monkeypatch.setenv("AZUREML_EMULATOR_HOME", str(tmp_path / "home"))
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "import azureml_emulator\nprint(azureml_emulator.is_active(), azureml_emulator.__file__)")])
    NotebookClient(notebook, kernel_name="emu-here", timeout=120,
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    active, module_file = notebook.cells[0].outputs[0]["text"].split()
    assert active == "True"
    assert module_file == str(REPO / "azureml_emulator" / "__init__.py")
