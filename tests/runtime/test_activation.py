"""Activation is scoped, reversible, and announced; nothing leaves the machine."""
import subprocess
import sys

import nbformat
import pytest
import requests
from azureml.core import Workspace
from azureml.opendatasets import MNIST
from jupyter_client.kernelspec import KernelSpecManager
from nbclient import NotebookClient
from requests.adapters import HTTPAdapter

import azureml_emulator
from azureml_emulator.runtime.transport import BlockedRequestError


def test_off_means_the_real_sdk_is_untouched(tmp_path):
    originals = (Workspace.__init__, Workspace.from_config, HTTPAdapter.send, MNIST.get_file_dataset)
    with azureml_emulator.emulate(home=tmp_path):
        assert Workspace.from_config is not originals[1]
        assert HTTPAdapter.send is not originals[2]
    assert (Workspace.__init__, Workspace.from_config, HTTPAdapter.send, MNIST.get_file_dataset) == originals
    assert not azureml_emulator.is_active()


def test_nested_blocks_restore_the_outer_home(tmp_path):
    with azureml_emulator.emulate(home=tmp_path / "outer") as outer:
        with azureml_emulator.emulate(home=tmp_path / "inner"):
            assert azureml_emulator.current().home == (tmp_path / "inner").resolve()
        assert azureml_emulator.current() is outer
    assert not azureml_emulator.is_active()


def test_decorator_form(tmp_path):
    @azureml_emulator.emulate(home=tmp_path)
    def registered_workspace_name():
        return Workspace.get("decorated").name
    assert registered_workspace_name() == "decorated"
    assert not azureml_emulator.is_active()


def test_pytest_fixture_form(azureml_emulator, tmp_path):
    assert azureml_emulator.home.is_dir()
    assert Workspace.get("from-fixture").name == "from-fixture"


def test_home_comes_from_the_environment_variable(tmp_path, monkeypatch):
    monkeypatch.setenv("AZUREML_EMULATOR_HOME", str(tmp_path / "from-env"))
    with azureml_emulator.emulate() as emulator:
        assert emulator.home == (tmp_path / "from-env").resolve()
        assert (emulator.home / "workspace.db").is_file()


def test_default_home_is_per_user(tmp_path, monkeypatch):
    monkeypatch.delenv("AZUREML_EMULATOR_HOME", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    with azureml_emulator.emulate() as emulator:
        assert emulator.home == (tmp_path / "data" / "azureml-emulator").resolve()


def test_first_workspace_call_announces_the_emulator_once(tmp_path, capsys):
    with azureml_emulator.emulate(home=tmp_path / "announce"):
        Workspace.get("one")
        Workspace.get("two")
    lines = [line for line in capsys.readouterr().out.splitlines() if "offline Azure ML workspace emulator" in line]
    assert len(lines) == 1
    assert str((tmp_path / "announce").resolve()) in lines[0]


def test_requests_to_other_hosts_are_refused(tmp_path):
    with azureml_emulator.emulate(home=tmp_path):
        with pytest.raises(BlockedRequestError, match="management.azure.com"):
            requests.get("https://management.azure.com/subscriptions", timeout=5)


def test_ipython_extension(tmp_path, monkeypatch):
    from IPython.core.interactiveshell import InteractiveShell
    monkeypatch.setenv("AZUREML_EMULATOR_HOME", str(tmp_path))
    shell = InteractiveShell.instance()
    try:
        shell.run_line_magic("load_ext", "azureml_emulator")
        assert azureml_emulator.is_active()
        assert azureml_emulator.current().home == tmp_path.resolve()
    finally:
        shell.run_line_magic("unload_ext", "azureml_emulator")
        InteractiveShell.clear_instance()
    assert not azureml_emulator.is_active()


def test_kernelspec_is_installed_with_the_package():
    spec = KernelSpecManager().get_kernel_spec("azureml-emulator")
    assert spec.argv[1:3] == ["-m", "azureml_emulator.tools.kernel"]
    listing = subprocess.run([sys.executable, "-m", "jupyter", "kernelspec", "list"],
                             capture_output=True, text=True, check=True).stdout
    assert "azureml-emulator" in listing


def test_kernel_runs_unchanged_notebook_code_against_the_emulator(tmp_path, monkeypatch):
    monkeypatch.setenv("AZUREML_EMULATOR_HOME", str(tmp_path / "kernel-home"))
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "from azureml.core import Workspace\nws = Workspace.from_config()\nprint(ws.name)")])
    NotebookClient(notebook, kernel_name="azureml-emulator", timeout=120,
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    text = "".join(output.get("text", "") for output in notebook.cells[0].outputs)
    assert "offline Azure ML workspace emulator" in text
    assert str((tmp_path / "kernel-home").resolve()) in text
    assert text.rstrip().endswith("local-workspace")
    assert (tmp_path / "kernel-home" / "workspace.db").is_file()
