import os

import joblib


def init():
    global model
    model = joblib.load(os.path.join(os.getenv("AZUREML_MODEL_DIR"), "no_such_model.pkl"))


def run(raw_data):
    return []
