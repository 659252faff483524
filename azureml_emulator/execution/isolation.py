"""What a process in a built Environment sees of this package: only the few modules it
runs, copied beside it, and none of the kernel's packages."""
from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Iterable

from azureml_emulator.environments import builder

PACKAGE_DIR = Path(__file__).resolve().parents[1]
PASSED_THROUGH = ("PATH", "HOME", "USER", "LOGNAME", "SHELL", "LANG", "LANGUAGE", "TZ", "TMPDIR", "TERM")


def side_code(folder: Path, modules: Iterable[str]) -> Path:
    """Copy ``modules`` (paths inside this package) under ``folder``; returns the import root."""
    root = folder / "emulator"
    for relative in modules:
        target = root / "azureml_emulator" / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(PACKAGE_DIR / relative, target)
    return root


def process_environment(build: builder.Build, folder: Path, modules: Iterable[str]) -> dict[str, str]:
    """The environment variables of a process running in ``build``, before its own."""
    if not build.isolated:
        # This Python as it is: the package must be importable even from a source checkout.
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PACKAGE_DIR.parent), env.get("PYTHONPATH")]))
        return env
    venv = Path(build.python).parent.parent
    # A container starts with its own environment, not the notebook's: only what locates
    # the user, the locale and temporary files comes through, and the emulator's own settings.
    env = {k: v for k, v in os.environ.items()
           if k in PASSED_THROUGH or k.startswith(("LC_", "AZUREML_EMULATOR_"))}
    env.update(VIRTUAL_ENV=str(venv), PATH=os.pathsep.join([str(venv / "bin"), os.environ.get("PATH", "")]),
               PYTHONPATH=str(side_code(folder, modules)), PYTHONNOUSERSITE="1")
    return env
