import os

import joblib
import numpy as np
from azureml.core.model import Model


def init():
    global model
    # The registered model, downloaded to the node when the worker starts.
    model = joblib.load(Model.get_model_path('sklearn_mnist'))


def run(mini_batch):
    # mini_batch is a list of image files; return one line per image scored.
    images = np.stack([np.load(path) for path in mini_batch]) / 255.0
    digits = model.predict(images)
    return ['{} {}'.format(os.path.basename(path), digit) for path, digit in zip(mini_batch, digits)]
