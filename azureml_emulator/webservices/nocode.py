"""No-code deployment: `Model.deploy(ws, name, [model])` without an inference configuration,
for a model registered with ``model_framework=Model.Framework.SCIKITLEARN``.

The SDK then sends only the model id; Azure supplies the environment and the scoring
script. Here the environment holds what Azure documents its prebuilt scikit-learn inference
container to hold (azureml-defaults, inference-schema[numpy-support], scikit-learn at the model's
``model_framework_version``, NumPy, joblib, pandas, SciPy, sklearn-pandas and dill, so a model
pickled with dill loads), built like any other; NumPy stays 1.x for azureml-core. The scoring
script is `nocode_score.py`: ``{"data": [[...], ...], "method": "predict" | "predict_proba"}``
in, the model's answer as a JSON list out.
"""
from __future__ import annotations

import shutil
import sys
from pathlib import Path

from azureml_emulator.errors import DeploymentError, NotEmulated

SCORER = Path(__file__).with_name("nocode_score.py")
ENTRY_SCRIPT = "score.py"
# Azure's prebuilt scikit-learn inference container, as its no-code deployment documentation lists
# it (azureml-defaults' azureml-core needs NumPy 1.x).
CONTAINER_PACKAGES = ("azureml-defaults", "inference-schema[numpy-support]", "numpy<2", "joblib", "pandas", "scipy",
                      "sklearn-pandas", "dill")


def is_no_code(image_request: dict) -> bool:
    return not image_request.get("environment") and not image_request.get("assets")


def environment(model: dict) -> dict:
    """The Environment a no-code deployment of ``model`` runs in."""
    framework = model.get("framework")
    if framework != "ScikitLearn":
        raise NotEmulated("no-code deployment of {} models (scikit-learn models are emulated)".format(framework))
    version = model.get("frameworkVersion")
    sklearn = "scikit-learn=={}".format(version) if version else "scikit-learn"
    python = "{}.{}".format(*sys.version_info[:2])
    return {"name": "azureml-emulator-no-code-scikit-learn", "version": version or "latest",
            "python": {"userManagedDependencies": False, "interpreterPath": "python",
                       "condaDependencies": {"name": "project_environment", "channels": ["conda-forge"],
                                             "dependencies": ["python=" + python, "pip", {"pip": [
                                                 *CONTAINER_PACKAGES, sklearn]}]}},
            "environmentVariables": {}, "docker": None}


def prepare(image_request: dict, laid_out: list[dict], app_dir: Path) -> None:
    """Give a no-code deployment its environment and scoring script."""
    if len(laid_out) != 1:
        raise DeploymentError("A no-code deployment serves exactly one model; got {}".format(len(laid_out)))
    image_request["environment"] = environment(laid_out[0])
    shutil.copyfile(SCORER, app_dir / ENTRY_SCRIPT)
