"""What an Environment definition asks to be built, read as Azure reads it.

Azure builds a Docker image from the definition with conda and pip. The emulator builds
a Python virtual environment instead (see `builder`), from the same definition:

* ``pip`` packages and pip options (index URLs, find-links) as given;
* conda packages installed from PyPI under the same name, with `CONDA_TO_PYPI` for the
  few whose PyPI name differs and `CONDA_ONLY` for the ones that only make sense in a
  conda environment; ``name=1.2`` (conda's "1.2.*") becomes ``name==1.2.*``; channels are
  ignored;
* ``python=X.Y[.Z]``: the Python minor version to build with;
* the Docker section (base image, Dockerfile) and Spark/R sections cannot apply to a
  local virtual environment, and are reported as ignored.

Images are reused by a hash of the definition, not its name (`image_hash`), as Azure
reuses its ``azureml/azureml_<hash>`` images.
"""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import Any

from azureml_emulator.environments import curated
from azureml_emulator.errors import BadRequest

# Bump when the way a definition becomes a build changes, so old builds are not reused.
RECIPE_VERSION = 3
# Conda puts these in every Python environment it creates (add_pip_as_python_dependency), so
# scripts that import pkg_resources (azureml-core before 1.61 does) find it there: setuptools 82
# and later no longer have it. A version the environment names itself replaces these.
CONDA_BASE = ("pip", "setuptools<82", "wheel")

CONDA_TO_PYPI = {
    "py-xgboost": "xgboost",
    "pytorch": "torch",
    "pytorch-cpu": "torch",
    "tensorflow-cpu": "tensorflow",
    "matplotlib-base": "matplotlib",
    "python-graphviz": "graphviz",
    "pyyaml": "PyYAML",
}
# Conda packages of the conda toolchain or of native libraries that PyPI wheels bundle.
CONDA_ONLY = {"pip", "setuptools", "wheel", "conda", "mkl", "mkl-service", "blas", "libblas", "openblas",
              "libopenblas", "cudatoolkit", "cudnn", "nccl", "libgcc-ng", "libstdcxx-ng", "openssl",
              "ca-certificates", "certifi", "tk", "xz", "zlib", "sqlite", "readline", "ncurses",
              "libffi", "_libgcc_mutex", "_openmp_mutex", "llvm-openmp", "intel-openmp"}
PIP_OPTIONS_WITH_VALUE = ("--index-url", "-i", "--extra-index-url", "--find-links", "-f")
# `CondaDependencies.create()` adds these two pip options to every definition. They name
# PyPI itself (its old host name), which the build's index already is, so they are dropped.
PYPI_ALIASES = ("https://pypi.python.org/simple", "https://pypi.python.org/simple/index.html")
_CONDA_SPEC = re.compile(r"^\s*([A-Za-z0-9_.\-]+)\s*(.*?)\s*$")


@dataclass(frozen=True)
class BuildSpec:
    """How to build one environment."""

    name: str
    version: str
    python_version: str | None              # "3.11", "3.8.13"... None: no python pin
    requirements: tuple[str, ...] = ()       # pip requirement strings
    pip_options: tuple[str, ...] = ()        # ("--extra-index-url", "https://...")
    user_managed: bool = False
    # An Azure curated environment: on Azure a prebuilt image, which never fails to build, so any
    # package without a wheel for its Python is built from source, as pip built it for the image.
    curated: bool = False
    notes: tuple[str, ...] = field(default=(), compare=False)   # what was ignored or mapped, one line each

    @property
    def label(self) -> str:
        return self.name if self.version in ("None", "") else "{}:{}".format(self.name, self.version)

    @property
    def python_minor(self) -> str | None:
        if not self.python_version:
            return None
        return ".".join(self.python_version.split(".")[:2])


def _conda_requirement(spec: str) -> tuple[str | None, str | None]:
    """(PyPI requirement, note) for one conda dependency string."""
    match = _CONDA_SPEC.match(spec)
    if not match or not match.group(1):
        raise BadRequest("Environment conda dependency {!r} is not 'name', 'name=version' or 'name<op>version'"
                         .format(spec))
    name, constraint = match.group(1), match.group(2).replace(" ", "")
    if name.lower() in CONDA_ONLY and name.lower() not in map(requirement_name, CONDA_BASE):
        return None, "conda package {!r} has no PyPI counterpart to install; skipped".format(spec)
    pypi_name = CONDA_TO_PYPI.get(name.lower(), name)
    note = "conda package {!r} installed from PyPI as {!r}".format(name, pypi_name) if pypi_name != name else None
    if constraint.startswith("=") and not constraint.startswith("=="):
        version = constraint[1:].split("=")[0]          # "=1.2" or "=1.2=build": conda's 1.2.*
        constraint = "==" + version + ("" if version.endswith("*") or version.count(".") >= 2 else ".*")
    return pypi_name + constraint, note


def requirement_name(requirement: str) -> str:
    """The normalised project name a requirement names (``Setuptools>=60`` -> ``setuptools``)."""
    match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", requirement)
    return re.sub(r"[-_.]+", "-", match.group(1)).lower() if match else requirement.strip().lower()


def _pip_entries(entries: list[Any]) -> tuple[list[str], list[str]]:
    """(requirements, options) from a conda file's ``pip:`` list."""
    requirements, options = [], []
    for entry in entries:
        text = str(entry).strip()
        if not text.startswith("-"):
            requirements.append(text)
            continue
        flag, _, value = text.partition(" ")
        flag, _, inline = flag.partition("=")
        value = (inline or value).strip()
        if flag in PIP_OPTIONS_WITH_VALUE and value:
            if value.rstrip("/") not in PYPI_ALIASES:
                options += [{"-i": "--index-url", "-f": "--find-links"}.get(flag, flag), value]
        else:
            raise BadRequest("Environment pip option {!r} is not supported by azureml_emulator's build; it "
                             "accepts --index-url, --extra-index-url and --find-links".format(text))
    return requirements, options


def read(definition: dict[str, Any]) -> BuildSpec:
    """The build spec of an Environment definition as the SDK serialises it."""
    python = definition.get("python") or {}
    conda = python.get("condaDependencies") or {}
    notes, requirements, options, python_version = [], [], [], None
    for dependency in conda.get("dependencies") or []:
        if isinstance(dependency, dict):
            pip_requirements, pip_options = _pip_entries(dependency.get("pip") or [])
            requirements += pip_requirements
            options += pip_options
            continue
        text = str(dependency)
        if re.match(r"^\s*python\s*[=<>]", text):
            python_version = re.sub(r"^\s*python\s*=*\s*", "", text).split("=")[0] or None
            continue
        requirement, note = _conda_requirement(text)
        if requirement:
            requirements.append(requirement)
        if note:
            notes.append(note)
    named = {requirement_name(requirement) for requirement in requirements}
    requirements = [base for base in CONDA_BASE if requirement_name(base) not in named] + requirements
    docker = definition.get("docker") or {}
    ignored = [part for part, present in (
        ("Docker base image {}".format(docker.get("baseImage")), bool(docker.get("baseImage"))),
        ("Dockerfile", bool(docker.get("baseDockerfile"))),
        ("conda channels", bool(conda.get("channels")))) if present]
    if ignored:
        notes.append("ignored (a local build has no container or conda): " + ", ".join(ignored))
    return BuildSpec(name=str(definition.get("name")), version=str(definition.get("version")),
                     python_version=python_version, requirements=tuple(requirements), pip_options=tuple(options),
                     user_managed=bool(python.get("userManagedDependencies")),
                     curated=curated.canonical_name(str(definition.get("name"))) == definition.get("name"),
                     notes=tuple(notes))


def image_hash(spec: BuildSpec) -> str:
    """The build's identity: what is installed and with which Python, not the environment's name."""
    identity = {"recipe": RECIPE_VERSION, "python": spec.python_version, "requirements": list(spec.requirements),
                "options": list(spec.pip_options)}
    return hashlib.sha256(json.dumps(identity, sort_keys=True).encode()).hexdigest()[:32]
