import json
import os


def init():
    pass


def run(raw_data):
    model_dir = os.environ["AZUREML_MODEL_DIR"]
    return {"model_dir": model_dir,
            "files": sorted(os.path.relpath(os.path.join(root, name), model_dir)
                            for root, _, names in os.walk(model_dir) for name in names)}
