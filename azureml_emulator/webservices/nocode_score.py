"""The scoring script of a no-code scikit-learn deployment (copied into the service as score.py).

Request: {"data": [[feature, ...], ...], "method": "predict" | "predict_proba"} ("predict"
when absent). Answer: the model's output as a JSON list. It runs in the service's
environment, so it keeps to syntax every Python a build may have (3.6 up) accepts.
"""
import json
import os
from typing import Any

import joblib
import numpy as np

METHODS = ("predict", "predict_proba")
model: Any = None   # the loaded model, set by init()


def init() -> None:
    global model
    folder = os.environ["AZUREML_MODEL_DIR"]   # the inference server always sets it
    files = sorted(os.path.join(root, name) for root, _dirs, names in os.walk(folder) for name in names)
    if len(files) != 1:
        raise RuntimeError("A no-code scikit-learn deployment needs a model of one file (a pickle or joblib "
                           "dump); {} holds {}".format(folder, [os.path.relpath(f, folder) for f in files]))
    model = joblib.load(files[0])


def run(raw_data: str) -> Any:
    request = json.loads(raw_data)
    if not isinstance(request, dict) or "data" not in request:
        raise ValueError('Expected {"data": [[...], ...], "method": "predict" or "predict_proba"}')
    method = request.get("method", "predict")
    if method not in METHODS:
        raise ValueError("method is {!r}: expected one of {}".format(method, METHODS))
    return getattr(model, method)(np.array(request["data"])).tolist()
