"""Building an Environment into a Python virtual environment, as Azure builds an image.

A build is a folder in the user's cache, named by the definition's hash
(``<cache>/environments/<hash>/``, with ``venv/``, ``build.log`` and a ``ready``
record written last), so the same definition deployed again reuses it, in every
emulator home of that user. uv (a well-kept installer that ships as a PyPI package)
installs binary wheels only, so an unsatisfiable pin fails in seconds instead of
compiling; the few packages an index publishes only as source (pure Python, such as
fusepy, which azureml-defaults needs) are built from source. With no package index
reachable, a build is tried again from uv's cache.
"""
from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

from azureml_emulator.environments import definition, index, interpreters
from azureml_emulator.environments.definition import BuildSpec, image_hash
from azureml_emulator.environments.pins import warn_about_pins
from azureml_emulator.errors import BuildError

CACHE_ENV_VAR = "AZUREML_EMULATOR_CACHE"
MODE_ENV_VAR = "AZUREML_EMULATOR_ENVIRONMENTS"
BUILD, CURRENT = "build", "current"
READY = "ready"
# How uv (its HTTP client, reqwest) words every failure to reach an index: a refused connection,
# a failed DNS lookup, a timeout, a proxy that will not tunnel.
NETWORK_TROUBLE = "error sending request"
SOURCE_ONLY = re.compile(r"Wheels are required for `([^`]+)` because building from source is disabled")
# Which version of it had no wheel, as uv says it ("Because wrapt==1.12.1 has no usable wheels").
NO_USABLE_WHEELS = re.compile(r"Because (\S+)==(\S+) has no usable wheels")
MAX_SOURCE_BUILDS = 8


@dataclass(frozen=True)
class Build:
    """An environment ready to run code: its interpreter, and how it came to be."""

    python: str              # the interpreter a service or job runs with
    isolated: bool           # False: the kernel's own interpreter and packages
    hash: str | None = None
    path: Path | None = None
    reused: bool = False
    seconds: float = 0.0
    lines: tuple[str, ...] = ()   # what the deployment's progress shows about the build


def cache_root() -> Path:
    root = os.environ.get(CACHE_ENV_VAR) or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(Path.home(), ".cache"), "azureml-emulator")
    return Path(root) / "environments"


def uv_binary() -> str:
    from uv import find_uv_bin
    return find_uv_bin()


@contextmanager
def file_lock(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on the file ``path`` (made if need be), across processes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _locked(digest: str) -> Any:
    """One builder (or pruner) of a hash at a time, across processes."""
    return file_lock(cache_root() / (digest + ".lock"))


# Settings that make uv colour what it writes into a pipe: Jupyter kernels set them (ipykernel),
# and escape codes inside package names broke the reading of uv's messages.
FORCED_COLOUR = ("FORCE_COLOR", "CLICOLOR_FORCE")
# What would let the kernel's own interpreter and packages into a build: uv runs source builds'
# backends with the build's Python, which reads these (a kernel's PYTHONPATH put its setuptools,
# written for Python 3.11, in front of a Python 3.6 build backend). Index settings pass through.
KERNEL_INTERPRETER = ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "PYTHONUSERBASE", "PYTHONEXECUTABLE",
                      "PYTHONSAFEPATH", "PYTHONPLATLIBDIR", "VIRTUAL_ENV", "CONDA_PREFIX", "CONDA_DEFAULT_ENV",
                      "__PYVENV_LAUNCHER__", "UV_PYTHON", "UV_PROJECT_ENVIRONMENT")


def installer_environment() -> dict[str, str]:
    """The environment uv runs with: the user's, less what colours its output or points a
    Python at the kernel's interpreter and packages; user site-packages are off."""
    env = {key: value for key, value in os.environ.items() if key not in FORCED_COLOUR + KERNEL_INTERPRETER}
    return {**env, "NO_COLOR": "1", "PYTHONNOUSERSITE": "1"}


def bytecode_options(python_version: str) -> list[str]:
    """Packages are compiled to bytecode as they are installed, as pip does (uv does not by
    default): every job and service process of the build then starts from .pyc files, which
    matters most where Python may not write them itself (PYTHONDONTWRITEBYTECODE). uv's compiler
    needs Python 3.7 or later; a Python 3.6 build compiles its modules as it imports them."""
    found = re.match(r"(\d+)\.(\d+)", python_version)
    return ["--compile-bytecode"] if found and (int(found.group(1)), int(found.group(2))) >= (3, 7) else []


def _uv(args: list[str], log: Path, offline: bool = False) -> subprocess.CompletedProcess:
    """Run uv (with the user's index and cache settings, never coloured output, nothing of the
    kernel's interpreter), logging what it said."""
    command = [uv_binary(), *args, "--color", "never"] + (["--offline"] if offline else [])
    done = subprocess.run(command, capture_output=True, text=True, env=installer_environment())
    with open(log, "a") as out:
        out.write("$ {}\n{}{}".format(" ".join(command), done.stdout, done.stderr))
    return done


def _interpreter(spec: BuildSpec) -> tuple[str, str, list[str]]:
    """(executable, version, lines to show) for the build's Python."""
    minor = spec.python_minor
    found = interpreters.find(minor) if minor else None
    if found:
        same = spec.python_version in (found[1], minor)
        return found[0], found[1], [] if same else ["Azure would build with Python {}; this machine's Python {} "
                                                    "is used".format(spec.python_version, found[1])]
    executable, version = interpreters.current()
    if not minor:
        return executable, version, ["The environment pins no Python; using this Python {}".format(version)]
    return executable, version, ["Azure would build with Python {}; this machine has no Python {}, so the "
                                 "environment uses Python {}".format(spec.python_version, minor, version)]


def _failure(spec: BuildSpec, done: subprocess.CompletedProcess, log: Path, offline_tried: bool = False
             ) -> BuildError:
    text = (done.stderr or done.stdout).strip()
    message = "Failed building the Environment {}: the installer (uv) reported:\n{}".format(spec.label, text)
    if offline_tried:
        message += ("\nThe package index is unreachable and uv's cache cannot satisfy this environment. Build it "
                    "ahead of time while online: azureml-emulator environments build {}{}".format(
                        spec.name, "" if spec.version in ("None", "") else " --version " + spec.version))
    if SOURCE_ONLY.search(text):
        message += ("\nazureml_emulator builds from binary wheels only; pin a version that publishes a wheel for "
                    "this Python and platform.")
    if "You require CPython" in text or SOURCE_ONLY.search(text):
        message += ("\nThe Environment's Python is {} (CondaDependencies.create() defaults to 3.10, "
                    "Environment() and from_pip_requirements() to 3.8): a wheel must exist for it; pass "
                    "python_version='X.Y' to choose another.".format(spec.python_version or "not pinned"))
    return BuildError(message + "\nBuild log: {}".format(log))


def _attempts(run: Callable[[bool], subprocess.CompletedProcess], went_offline: list[bool]
              ) -> subprocess.CompletedProcess:
    """Run an installer step online, then from uv's cache when the index is unreachable
    (noted in ``went_offline``); returns the last result."""
    done = run(False)
    if done.returncode and NETWORK_TROUBLE in done.stderr:
        went_offline.append(True)
        return run(True)
    return done


def _binary_only(spec: BuildSpec, step: list[str], venv_python: Path, options: list[str], log: Path,
                 from_source: list[str], went_offline: list[bool]) -> None:
    """Run an installer step from binary wheels only, allowing source builds just for the
    packages (or the versions of them) the index publishes as source alone (added to
    ``from_source``), as pip would have to build them too; in a curated environment, for any
    package without a wheel for its Python, as pip built Azure's image. Raises BuildError."""
    while True:
        done = _attempts(lambda offline: _uv(
            ["pip", *step[:1], "--quiet", "--python", str(venv_python), "--only-binary", ":all:", *options,
             *[arg for package in from_source for arg in ("--no-binary", package)], *step[1:]], log, offline),
            went_offline)
        if done.returncode == 0:
            return
        source_only = SOURCE_ONLY.search(done.stderr)
        if (source_only and len(from_source) < MAX_SOURCE_BUILDS and source_only.group(1) not in from_source
                and (spec.curated or not index.publishes_wheels(
                    index.primary_index(options), source_only.group(1),
                    _version_without_wheels(done.stderr, source_only.group(1))))):
            from_source.append(source_only.group(1))
            continue
        raise _failure(spec, done, log, any(went_offline))


def _version_without_wheels(message: str, package: str) -> str | None:
    """The version of ``package`` uv found no usable wheel of, when it says which."""
    for name, version in NO_USABLE_WHEELS.findall(message):
        if name == package:   # uv writes both names the same way
            return version
    return None


# A requirement that names no version (``azureml-defaults``, ``inference-schema[numpy-support]``).
UNPINNED = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*(;.*)?$")
# The installer's own packages, which every build has anyway.
TOOLCHAIN = ("pip", "setuptools", "wheel")


def _newest_resolvable(requirement: str, venv_python: Path, options: list[str], folder: Path) -> str | None:
    """``name>=version`` for the newest version of the unpinned ``requirement`` whose own
    dependencies resolve for this Python, None when it does not resolve alone."""
    name = definition.requirement_name(requirement)
    alone = folder / "alone-{}.txt".format(name)
    alone.write_text(requirement + "\n")
    done = _uv(["pip", "compile", "--quiet", "--no-header", "--no-annotate", "--python", str(venv_python), *options,
                str(alone)], folder / "preferences.log")
    for line in done.stdout.splitlines() if done.returncode == 0 else []:
        pinned, _, version = line.partition("==")
        if version and definition.requirement_name(pinned) == name:
            return "{}>={}".format(name, version.split(";")[0].strip())
    return None


def _preferences(spec: BuildSpec, venv_python: Path, options: list[str], log: Path) -> Path | None:
    """Lower bounds that resolve the packages the definition asks for by name alone as pip does.

    pip's resolver keeps the packages it was asked for at their newest workable version and
    backtracks what they need; uv would rather keep a shared dependency new and fall back to a
    years-old release of a requested package (``azureml-defaults`` beside ``scikit-learn`` and
    ``inference-schema[numpy-support]`` on Python 3.8: uv took 1.14, without the inference server,
    where pip takes 1.60). So each unpinned requirement is first resolved alone, and the whole is
    resolved with each at least that version; the constraints file is None when there is none."""
    unpinned = list({definition.requirement_name(r): r for r in spec.requirements
                     if UNPINNED.match(r) and definition.requirement_name(r) not in TOOLCHAIN}.values())
    if not unpinned:
        return None
    with ThreadPoolExecutor(max_workers=4) as pool:   # each waits on the index, not the CPU
        bounds = [b for b in pool.map(lambda r: _newest_resolvable(r, venv_python, options, log.parent), unpinned)
                  if b]
    if not bounds:
        return None
    constraints = log.parent / "preferences.txt"
    constraints.write_text("\n".join(bounds) + "\n")
    return constraints


def _resolve(requirements: Path, resolved: Path, preferences: Path | None, venv_python: Path, options: list[str],
             log: Path, went_offline: list[bool]) -> subprocess.CompletedProcess:
    """Resolve ``requirements`` into ``resolved`` as pip would: within ``preferences`` when they
    leave a solution, else as uv alone resolves them."""
    def compile_with(extra: list[str]) -> subprocess.CompletedProcess:
        return _attempts(lambda offline: _uv(
            ["pip", "compile", "--quiet", "--python", str(venv_python), *options, *extra, "-o", str(resolved),
             str(requirements)], log, offline), went_offline)
    if preferences is not None:
        done = compile_with(["--constraint", str(preferences)])
        if done.returncode == 0:
            return done
    return compile_with([])


def _install(spec: BuildSpec, venv_python: Path, python_version: str, log: Path) -> list[str]:
    """Install the requirements; returns lines to show. Raises BuildError.

    The requirements the definition names must each have a wheel for this Python (so an
    impossible pin fails at once, naming it, before anything is resolved or built); then they
    are resolved as pip resolves them (any distribution), so the versions are the ones Azure's
    build would get (kept in ``resolved.txt``); then exactly those versions are installed from
    binary wheels, building from source only what the index publishes as source alone."""
    if not spec.requirements:
        return []
    requirements, resolved = log.parent / "requirements.txt", log.parent / "resolved.txt"
    requirements.write_text("\n".join(spec.requirements) + "\n")
    # pip considers every index's versions; uv by default only the first index that has a package.
    options = ["--index-strategy", "unsafe-best-match", *index.combined_options(list(spec.pip_options))]
    from_source: list[str] = []
    went_offline: list[bool] = []
    _binary_only(spec, ["compile", "--no-deps", "-o", os.devnull, str(requirements)], venv_python, options, log,
                 from_source, went_offline)
    # With the index unreachable, uv's cache decides: no preferences are looked up.
    preferences = None if any(went_offline) else _preferences(spec, venv_python, options, log)
    done = _resolve(requirements, resolved, preferences, venv_python, options, log, went_offline)
    if done.returncode != 0:
        raise _failure(spec, done, log, any(went_offline))
    _binary_only(spec, ["install", *bytecode_options(python_version), "-r", str(resolved)], venv_python, options, log,
                 from_source, went_offline)
    return ["Built from uv's cache: the package index is unreachable"] if any(went_offline) else []


def _build(spec: BuildSpec, target: Path) -> list[str]:
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir()   # in the cache folder, which taking the build's lock made
    log = target / "build.log"
    executable, version, lines = _interpreter(spec)
    done = _uv(["venv", "--quiet", "--python", executable, str(target / "venv")], log)
    if done.returncode != 0:
        raise _failure(spec, done, log)
    lines += _install(spec, target / "venv" / "bin" / "python", version, log)
    record = {"environment": spec.label, "python": version, "requirements": list(spec.requirements),
              "options": list(spec.pip_options), "built": time.time()}
    (target / READY).write_text(json.dumps(record))
    return lines


# The oldest Python a service or job runs in: the emulated container's side of the emulator and
# the Azure ML packages (azureml-core, the inference server) that still install on it.
OLDEST_PYTHON = (3, 6)


def refuse_unrunnable_python(spec: BuildSpec) -> None:
    """Refuse, before building, a Python no service or job can run in (2.7, 3.5). Raises BuildError."""
    minor = spec.python_minor
    if not minor:
        return
    try:
        version = tuple(int(part) for part in minor.split("."))
    except ValueError:
        raise BuildError("Environment {} pins python={!r}, which is not a Python version".format(
            spec.label, spec.python_version)) from None
    if version < OLDEST_PYTHON:
        raise BuildError("not emulated by azureml_emulator: Environment {} pins Python {}. Services and jobs run in "
                         "Python {}.{} or later here (Azure ML's inference server and azureml-core need it); pin a "
                         "later Python in the Environment.".format(spec.label, spec.python_version, *OLDEST_PYTHON))


def prepare(spec: BuildSpec, mode: str = BUILD) -> Build:
    """The build of ``spec``: reused when the cache has it, else built now. Raises BuildError."""
    if mode == CURRENT:
        return Build(python=sys.executable, isolated=False, lines=(
            "WARNING: environments='current': serving environment {} with this kernel's Python and packages, "
            "not a build of its definition".format(spec.label),))
    if spec.user_managed:
        return Build(python=sys.executable, isolated=False, lines=(
            "Environment {} has user_managed_dependencies=True: using this Python as it is".format(spec.label),))
    refuse_unrunnable_python(spec)
    digest = image_hash(spec)
    target = cache_root() / digest
    started = time.monotonic()
    with _locked(digest):
        if (target / READY).is_file():
            os.utime(target / READY)   # last use, for pruning
            return Build(python=str(target / "venv" / "bin" / "python"), isolated=True, hash=digest, path=target,
                         reused=True, lines=("Reusing image for environment {} ({})".format(spec.label, digest[:12]),))
        try:
            lines = _build(spec, target)
        except BuildError as error:
            failed_log = cache_root() / (digest + ".failed.log")
            shutil.move(str(target / "build.log"), str(failed_log))
            shutil.rmtree(target, ignore_errors=True)
            raise BuildError(error.message.replace(str(target / "build.log"), str(failed_log)),
                             log_path=failed_log) from None
    seconds = time.monotonic() - started
    return Build(python=str(target / "venv" / "bin" / "python"), isolated=True, hash=digest, path=target,
                 seconds=seconds, lines=tuple(["Building image for environment {} ({})".format(spec.label, digest[:12])]
                                              + lines + ["Image built in {:.1f} s".format(seconds)]))


def spec_for(environment: dict, mode: str = BUILD) -> BuildSpec:
    """The build spec of an Environment as the SDK serialises it; when serving with this
    Python ("current"), first say which of its pins this Python does not match."""
    if mode == CURRENT:
        warn_about_pins(environment)
    return definition.read(environment)


def list_builds() -> list[dict]:
    """Every build in the cache with its environment, size and last use."""
    builds = []
    root = cache_root()
    for folder in sorted(root.iterdir()) if root.is_dir() else []:
        ready = folder / READY
        if folder.is_dir() and ready.is_file():
            record = json.loads(ready.read_text())
            size = sum(f.stat().st_size for f in folder.rglob("*") if f.is_file() and not f.is_symlink())
            builds.append(dict(hash=folder.name, environment=record.get("environment"), python=record.get("python"),
                               size_mb=round(size / 1024 ** 2, 1), last_used=ready.stat().st_mtime))
    return builds


def prune(hashes: list[str] | None = None) -> int:
    """Remove the named builds (every build when None); returns how many."""
    removed = 0
    for build in list_builds():
        if hashes is None or any(build["hash"].startswith(h) for h in hashes):
            with _locked(build["hash"]):
                shutil.rmtree(cache_root() / build["hash"], ignore_errors=True)
            removed += 1
    return removed
