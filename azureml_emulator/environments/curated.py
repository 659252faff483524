"""Azure's curated environments: in every workspace, found by name whatever its case, listed
with the registered ones, and built like any other definition.

The definitions are those Azure publishes in its azureml-assets repository
(``assets/training/general/environments/<name>/context/conda_dependencies.yaml`` and
``assets/inference/environments/<name>/...``): the Python version and the conda and pip
packages with their pins. Where Azure writes ``=={{latest-pypi-version}}`` (filled in when it
builds the image), the package is left unpinned, so the build takes the newest release, as
Azure's does. Azure builds them as Docker images from ``mcr.microsoft.com/azureml/curated``;
here the image name is recorded and, as for any base image, not used.
"""
from __future__ import annotations

from typing import Any

# Azure's curated environments carry a version number of their own; the emulator's are 1.
VERSION = "1"
RESERVED_PREFIX = "azureml"
RESERVED = ("Environment name can not start with the prefix AzureML. To alter a curated environment first create "
            "a copy of it.")

_SKLEARN_COMMON = ["azureml-core", "azureml-defaults", "azureml-mlflow", "azureml-telemetry"]
_TOOLS = ["py-spy==0.3.12", "debugpy~=1.6.3", "ipykernel~=6.0", "tensorboard", "psutil~=5.8.0", "matplotlib~=3.5.0",
          "tqdm~=4.66.3", "py-cpuinfo==5.0.0", "torch-tb-profiler~=0.4.0"]

# name: (image, description, channels, python, conda packages, pip packages)
DEFINITIONS: dict[str, tuple[str, str, list[str], str, list[str], list[str]]] = {
    "AzureML-sklearn-1.5": (
        "mcr.microsoft.com/azureml/curated/sklearn-1.5",
        "An environment for tasks such as regression, clustering, and classification with Scikit-learn.",
        ["conda-forge", "anaconda"], "3.10", ["pandas~=1.5.3", "scipy~=1.10.0", "numpy~=1.22.0"],
        ["scikit-learn-intelex", *_SKLEARN_COMMON, "azureml-inference-server-http", "scikit-learn~=1.5.0",
         "joblib~=1.2.0", *_TOOLS, "starlette>=0.49.1"]),
    "AzureML-lightgbm-3.3": (
        "mcr.microsoft.com/azureml/curated/lightgbm-3.3",
        "An environment for machine learning with LightGBM, XGBoost and Scikit-learn.",
        ["conda-forge", "anaconda"], "3.10", ["pandas~=1.5.3", "scipy~=1.10.0", "numpy~=1.22.0"],
        [*_SKLEARN_COMMON, "scikit-learn~=1.5.1", "xgboost~=1.7.6", "lightgbm>=4.6.0", "distributed~=2021.10.0",
         "adlfs~=0.7.0", *_TOOLS, "starlette>=1.0.1"]),
    "AzureML-minimal-ubuntu22.04-py311-cpu-inference": (
        "mcr.microsoft.com/azureml/curated/minimal-ubuntu22.04-py311-cpu-inference",
        "A minimal environment for inference: Python 3.11 and the Azure ML inference server.",
        ["conda-forge", "anaconda"], "3.11", [], ["azureml-inference-server-http", "numpy==1.26.4"]),
}


def canonical_name(name: str) -> str | None:
    """The curated environment ``name`` means (Azure finds them whatever the case), or None."""
    return next((known for known in DEFINITIONS if known.lower() == name.lower()), None)


def definition(name: str) -> dict[str, Any]:
    """The curated environment as the registry answers it (the SDK's Environment JSON)."""
    image, description, channels, python, conda, pip = DEFINITIONS[name]
    return {
        "name": name, "version": VERSION, "description": description,
        "python": {"interpreterPath": "python", "userManagedDependencies": False, "baseCondaEnvironment": None,
                   "condaDependencies": {"name": "project_environment", "channels": channels,
                                         "dependencies": ["python=" + python, "pip", *conda, {"pip": pip}]}},
        "environmentVariables": {}, "docker": {"enabled": False, "baseImage": image + ":latest",
                                               "baseDockerfile": None, "sharedVolumes": True, "shmSize": None,
                                               "arguments": [], "baseImageRegistry": None},
        "spark": None, "r": None, "inferencingStackVersion": None}


def all_definitions() -> list[dict[str, Any]]:
    return [definition(name) for name in sorted(DEFINITIONS)]
