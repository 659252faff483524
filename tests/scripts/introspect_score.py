"""Test entry script: predicts like the tutorial, and can report on the process it runs in."""
import json
import os
import resource
import time

import joblib
import numpy as np

MARKER = "original"


def init():
    global model
    model = joblib.load(os.path.join(os.getenv("AZUREML_MODEL_DIR"), "sklearn_mnist_model.pkl"))


def run(raw_data):
    request = json.loads(raw_data)
    if request.get("raise"):
        raise ValueError("run() was asked to fail")
    if request.get("allocate_mb"):
        block = b"x" * (request["allocate_mb"] * 1024 * 1024)   # every page touched: resident memory
        return {"allocated": len(block)}
    if request.get("sleep"):
        time.sleep(request["sleep"])
        return {"slept": request["sleep"]}
    if request.get("introspect"):
        model_dir = os.environ["AZUREML_MODEL_DIR"]
        files = sorted(os.path.relpath(os.path.join(root, name), model_dir)
                       for root, _, names in os.walk(model_dir) for name in names)
        return {"marker": MARKER, "model_dir": model_dir, "files": files, "pid": os.getpid(),
                "rlimit_data": resource.getrlimit(resource.RLIMIT_DATA)[0],
                "affinity": sorted(os.sched_getaffinity(0)), "cwd": os.getcwd()}
    return model.predict(np.array(request["data"])).tolist()
