"""The modules copied beside a job's or a service's process are read from the code: the entry
modules their contracts name and what those import of the package, at any depth."""
import ast
import sys

import pytest

from azureml_emulator import processes
from azureml_emulator.execution import isolation, job_contract, service_contract


def test_a_jobs_process_gets_its_runtime_its_contract_and_what_they_import():
    assert set(isolation.side_modules([job_contract.ENTRY_MODULE])) == {
        "__init__.py", "addresses.py", "execution/__init__.py", "execution/after_import.py",
        "execution/job_contract.py", "execution/job_runtime.py"}


def test_a_services_processes_get_the_launcher_the_container_the_server_and_their_contract():
    assert processes.LAUNCHER in service_contract.ENTRY_MODULES   # every service starts through it
    assert set(isolation.side_modules(service_contract.ENTRY_MODULES)) == {
        "__init__.py", "execution/__init__.py", "execution/launch.py", "execution/service_contract.py",
        "execution/supervisor.py", "execution/service_process.py", "execution/service_app.py"}


def test_a_new_import_is_copied_with_no_list_to_keep(tmp_path):
    """In a package laid out like this one: imports at any depth, absolute or relative, and the
    packages on the way; a package's front door contributes only its top-level imports."""
    package = tmp_path / "azureml_emulator"
    (package / "sub").mkdir(parents=True)
    (package / "__init__.py").write_text("def later():\n    from azureml_emulator import heavy\n")
    (package / "heavy.py").write_text("")
    (package / "sub" / "__init__.py").write_text("")
    (package / "sub" / "entry.py").write_text(
        "from azureml_emulator.sub import helper\n"
        "def main():\n    from . import lazy\n    import azureml_emulator.top\n")
    for name in ("helper", "lazy"):
        (package / "sub" / (name + ".py")).write_text("from ..top import VALUE\n")
    (package / "top.py").write_text("import json\nVALUE = 1\n")
    assert set(isolation.side_modules(["azureml_emulator.sub.entry"], package)) == {
        "__init__.py", "sub/__init__.py", "sub/entry.py", "sub/helper.py", "sub/lazy.py", "top.py"}


def test_an_entry_module_that_does_not_exist_is_refused():
    with pytest.raises(ValueError, match="azureml_emulator.execution.nothing"):
        isolation.side_modules(["azureml_emulator.execution.nothing"])


@pytest.mark.parametrize("entries", [[job_contract.ENTRY_MODULE], list(service_contract.IN_BUILD)])
def test_what_runs_in_a_build_imports_only_the_standard_library_at_its_top(entries):
    """What a bare Python of a build has: the standard library (third-party imports, such as
    the inference server's, happen inside functions, in the process that has them)."""
    outside = set()
    for relative in isolation.side_modules(entries):
        tree = ast.parse((isolation.PACKAGE_DIR / relative).read_text())
        for node in tree.body:
            names = ([alias.name for alias in node.names] if isinstance(node, ast.Import) else
                     [node.module] if isinstance(node, ast.ImportFrom) and not node.level else [])
            outside.update(name for name in names if name.split(".")[0] not in sys.stdlib_module_names
                           and name.split(".")[0] != "azureml_emulator")
    assert outside <= {"azureml_inference_server_http.server.entry"}   # service_app: the server's own app


@pytest.mark.parametrize("supervisor", ["job_supervisor", "pipeline_supervisor", "sweep_supervisor", "supervisor"])
def test_a_supervisor_starts_without_importing_the_sdk(supervisor):
    """Every job, pipeline step and sweep trial starts a supervisor; the SDK's REST client package
    alone takes seconds to import, and a supervisor never needs it (only the kernel and the job do)."""
    import subprocess
    code = ("import sys, azureml_emulator.execution.{}; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'azureml'))".format(supervisor))
    imported = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert imported.strip() == "[]"


def test_a_jobs_supervisor_answers_its_discovery_call_without_the_sdk():
    """A job's SDK asks service discovery first, through its supervisor's bridge; answering it
    imported the SDK's REST client package in every job, step and trial (a second of CPU)."""
    import subprocess
    code = ("import sys, azureml_emulator.execution.job_supervisor\n"
            "from azureml_emulator.workspaces import api, backend\n"
            "answer = backend.service_endpoints()\n"
            "print(sorted(answer), sorted(m for m in sys.modules if m.split('.')[0] == 'azureml'))")
    printed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert printed.strip() == "['api', 'experimentation', 'history', 'hyperdrive', 'modelmanagement', 'studio'] []"
