import json

from azureml.core.model import Model


def init():
    global paths
    # The documented way for a multi-model service to find each of its models.
    paths = {name: Model.get_model_path(model_name=name) for name in ("sklearn_mnist", "second_model")}


def run(raw_data):
    return json.dumps(paths)
