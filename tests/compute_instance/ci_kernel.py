"""A kernel like a compute instance's: a second virtual environment, on Python 3.10, with the SDK
and the data science stack at versions of their own (not the project's), into which the emulator
is installed alone, as docs/emulator/README.md tells a user to do (``pip install <folder>``, then
``azureml-emulator kernel install``).

The environment is kept in the user's cache (``<cache>/test-kernels/<hash of what it holds>/``),
built once; each test session reinstalls only the emulator into it, so it carries the current
code. A file lock keeps two sessions from building or reinstalling it at once.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from azureml_emulator.environments import builder, interpreters

REPO = Path(__file__).resolve().parents[2]
PACKAGE = "azureml-mnist-deploy-tutorial"   # the project's distribution name, which carries the emulator
PYTHON = "3.10"
# What a compute instance's SDK v1 kernel has, at versions that resolve with the azureml-core 1.61
# the emulator requires. pandas stays below 2: azureml-opendatasets needs azureml-dataset-runtime[pandas],
# which requires pandas<2.0.0 (so the 2.0 of newer images cannot go with it).
REQUIREMENTS = (
    "azureml-opendatasets>=1.61,<1.63",
    "azureml-widgets>=1.61,<1.63",
    "azureml-mlflow>=1.61,<1.63",
    "azureml-train-core>=1.61,<1.63",
    "azureml-pipeline>=1.61,<1.63",
    "scikit-learn==1.3.*",
    "numpy==1.24.*",
    "pandas==1.5.*",
    "ipython>=8,<9",
    "mlflow>=2,<3",
    "ipykernel>=6.29",
)
KERNEL_NAME = "python310-azureml-emulator"
DISPLAY_NAME = "Python 3.10 - AzureML (emulator)"
# What is not part of the package, left out of the copy the emulator is installed from.
NOT_PACKAGED = (".git", ".venv", "build", "*.egg-info", "__pycache__", "tests", "benchmarks", "executed",
                ".mutation", ".hypothesis", "node_modules", "*.ipynb", "*.png")


@dataclass(frozen=True)
class Kernel:
    venv: Path
    python: Path
    versions: dict[str, str]     # what pip freeze lists, by distribution name (lower case)
    build_seconds: float         # 0 when the cached environment was reused
    install_seconds: float       # reinstalling the emulator


def cache_folder() -> Path:
    """Beside the emulator's own cache of Environment builds, not in it."""
    cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(Path.home(), ".cache")
    return Path(cache) / "azureml-emulator" / "test-kernels"


def find_python() -> str | None:
    """The real executable of an installed Python 3.10 (not a pyenv shim), or None."""
    found = interpreters.find(PYTHON)
    if found is None:
        return None
    done = subprocess.run([found[0], "-c", "import sys; print(getattr(sys, '_base_executable', sys.executable))"],
                          capture_output=True, text=True, timeout=30, check=True)
    return done.stdout.strip()


def _key(python: str) -> str:
    version = interpreters._version_of(python)
    text = json.dumps({"python": [python, version], "requirements": REQUIREMENTS}, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


_locked = builder.file_lock


def _uv(*args: str, cwd: Path | None = None) -> None:
    done = subprocess.run([builder.uv_binary(), *args], capture_output=True, text=True, cwd=cwd,
                          env=dict(os.environ, UV_COMPILE_BYTECODE="1"))   # .pyc at install, as pip writes them
    if done.returncode != 0:
        raise RuntimeError("uv {} failed:\n{}".format(" ".join(args), done.stderr[-5000:]))


def _package_copy(into: Path) -> Path:
    """The project's package files, copied: setuptools builds in the source tree and would take
    stale copies of moved modules from a build/ folder left there."""
    target = into / "package"
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(REPO, target, ignore=shutil.ignore_patterns(*NOT_PACKAGED))
    return target


@contextmanager
def prepared(python: str, scratch: Path) -> Iterator[Kernel]:
    """The kernel's environment, built if the cache lacks it, with the emulator (re)installed from
    this checkout; held under the lock while in use, so another session cannot reinstall the
    emulator under running notebooks."""
    folder = cache_folder() / _key(python)
    with _locked(folder.with_suffix(".lock")):
        venv, ready = folder / "venv", folder / "ready"
        package = _package_copy(scratch)
        build_seconds = 0.0
        if not ready.exists():
            started = time.monotonic()
            shutil.rmtree(venv, ignore_errors=True)
            _uv("venv", "--quiet", "--python", python, str(venv))
            _uv("pip", "install", "--quiet", "--python", str(venv / "bin" / "python"), *REQUIREMENTS, str(package),
                cwd=scratch)
            build_seconds = time.monotonic() - started
            ready.write_text(json.dumps({"python": python, "requirements": REQUIREMENTS}, indent=1))
        started = time.monotonic()
        _uv("pip", "install", "--quiet", "--python", str(venv / "bin" / "python"), "--reinstall-package", PACKAGE,
            str(package), cwd=scratch)
        install_seconds = time.monotonic() - started
        listing = subprocess.run([builder.uv_binary(), "pip", "freeze", "--python", str(venv / "bin" / "python")],
                                 capture_output=True, text=True, check=True).stdout
        versions = {name.lower(): version for name, _, version in
                    (line.partition("==") for line in listing.splitlines()) if version}
        yield Kernel(venv, venv / "bin" / "python", versions, build_seconds, install_seconds)


def install_kernelspec(kernel: Kernel, prefix: Path) -> Path:
    """Register the kernel as docs/emulator/README.md says, with the azureml-emulator command of that environment;
    Jupyter finds it under ``prefix/share/jupyter`` (JUPYTER_PATH)."""
    subprocess.run([str(kernel.venv / "bin" / "azureml-emulator"), "kernel", "install", "--prefix", str(prefix),
                    "--name", KERNEL_NAME, "--display-name", DISPLAY_NAME], check=True, capture_output=True)
    return prefix / "share" / "jupyter"
