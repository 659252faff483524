"""A command job, on its supervisor's side: a run whose definition has a ``command`` (a
`CommandStep`, or ``ScriptRunConfig(command=...)``, which the SDK sends joined with spaces)
instead of a script.

As on Azure, the command runs in a shell (bash, else ``/bin/sh``) in the job's working
directory, with the Environment's Python first on ``PATH`` and the variables a script's
process gets (`job_supervisor.Job.job_environment`); its exit code is the job's. Its data is
substituted as in a script's arguments: ``DatasetConsumptionConfig:<name>`` (a dataset
input), ``DatasetOutputConfig:<name>`` (an output dataset) and ``$AZUREML_DATAREFERENCE_<name>``
(a data reference, or a step's input or output) become their local paths. Every Python process
the command starts routes the SDK to the job's bridge (`command_runtime`, through a
``sitecustomize`` first on its ``PYTHONPATH``), so ``Run.get_context()`` in it is the job's run.
"""
from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
from typing import Mapping

from azureml_emulator.data_access import outputs as data_outputs
from azureml_emulator.data_access import references

RUNTIME_MODULE = "azureml_emulator.execution.command_runtime"
SITE_TEXT = '''"""azureml_emulator: a command job's Python processes reach the job's run (command_runtime)."""
from azureml_emulator.execution import command_runtime

command_runtime.install()
'''
DATASET_INPUT = "DatasetConsumptionConfig:"


def command(definition: dict) -> str | None:
    """The run's command (a list is joined with spaces, as the SDK joins it), or None for a script run."""
    value = definition.get("command")
    if isinstance(value, list):
        value = " ".join(str(part) for part in value)
    if definition.get("script") or not value or not str(value).strip():
        return None
    return str(value)


def shell() -> str:
    """The shell a command runs in: bash, as on Azure's images, else the POSIX shell."""
    return "/bin/bash" if Path("/bin/bash").is_file() else shutil.which("bash") or "/bin/sh"


def substitute(text: str, inputs: Mapping[str, str], referenced: Mapping[str, str],
               outputs: list[data_outputs.Output]) -> str:
    """``text`` with each data placeholder of a known name replaced by its local path."""
    text = references.substitute(text, referenced)
    paths = {DATASET_INPUT + name: path for name, path in inputs.items()}
    paths.update({data_outputs.ARGUMENT + output.name: str(output.path) for output in outputs})
    if not paths:
        return text
    pattern = re.compile("|".join(re.escape(key) + r"(?!\w)" for key in sorted(paths, key=len, reverse=True)))
    return pattern.sub(lambda match: paths[match.group(0)], text)


def site_folder(folder: Path) -> Path:
    """The folder with the ``sitecustomize`` every Python process of the command imports."""
    site = folder / "command-site"
    site.mkdir(exist_ok=True)
    (site / "sitecustomize.py").write_text(SITE_TEXT, encoding="utf-8")
    return site


def environment(env: dict[str, str], python: str, folder: Path) -> dict[str, str]:
    """``env`` (a script's process's) for the command's shell: the Environment's Python first on
    ``PATH`` and the ``sitecustomize`` first on ``PYTHONPATH``."""
    result = dict(env)
    result["PATH"] = os.pathsep.join(filter(None, [str(Path(python).parent), env.get("PATH")]))
    result["PYTHONPATH"] = os.pathsep.join(filter(None, [str(site_folder(folder)), env.get("PYTHONPATH")]))
    return result


def failure(shell_path: str, code: int, log: str) -> str:
    """The run's error when the command exits with ``code`` (Azure's shape for a user process)."""
    return ("Execution failed. User process '{}' exited with status code {}. Please check log file '{}' for error "
            "details.".format(shell_path, code, log))
