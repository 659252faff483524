import json
import os
from typing import List

import joblib
import msgspec
import numpy as np
import simdjson
import sklearn
from azureml.contrib.services.aml_request import rawhttp
from azureml.contrib.services.aml_response import AMLResponse

PIXELS = 28 * 28
MAX_BODY_BYTES = 100 * 1024 * 1024  # the whole 10,000-image test set is about 61 MB of JSON


def init():
    global model
    # AZUREML_MODEL_DIR is the folder of the registered model (./azureml-models/$MODEL_NAME/$VERSION)
    model = joblib.load(os.path.join(os.getenv('AZUREML_MODEL_DIR'), 'sklearn_mnist_model.pkl'))


@rawhttp
def run(request):
    # The classic tutorial's {"data": [[784 pixels in 0..1], ...]} in, digits out; raw uint8 images too.
    if request.method != 'POST':
        return reply(405, {'error': 'Send images with POST.'})
    body = request.get_data(cache=False)
    if len(body) > MAX_BODY_BYTES:
        return reply(413, {'error': 'Body is over {} bytes: send fewer images per request.'.format(MAX_BODY_BYTES)})
    try:
        images = read_binary(body) if request.mimetype == 'application/octet-stream' else read_json(body)
    except ValueError as error:
        return reply(400, {'error': str(error)})
    with sklearn.config_context(assume_finite=True):  # pixels are checked, so no NaN scan is needed
        return reply(200, model.predict(images).tolist())


def reply(status, content):
    return AMLResponse(json.dumps(content), status, {'Content-Type': 'application/json'})


def read_binary(body):
    # Each image is 784 bytes: 28x28 uint8 pixels (0..255), row by row.
    if not body or len(body) % PIXELS:
        raise ValueError('Binary body is {} bytes; expected a non-empty multiple of 784.'.format(len(body)))
    return np.frombuffer(body, dtype=np.uint8).reshape(-1, PIXELS) / 255.0


def read_json(body):
    # simdjson reads the body in C into a NumPy array, no Python object per pixel. One '[' per image: none nested.
    try:
        data = simdjson.Parser().parse(body)['data']
        if not len(data) or any(len(row) != PIXELS for row in data) or body.count(b'[') != len(data) + 1:
            raise ValueError
        images = np.frombuffer(data.as_buffer(of_type='d')).reshape(len(data), PIXELS)
    except Exception:
        images = explain(body)
    if images.min() < 0 or images.max() > 1:
        raise ValueError('Pixel values must be in 0..1 (found {} to {}): scale 0..255 pixels by dividing by 255.'
                         .format(images.min(), images.max()))
    return images


class Request(msgspec.Struct):
    data: List[List[float]]  # typing's List: the environment may run Python 3.8


def explain(body):
    # Only for a body that is not plain rows of numbers: msgspec reads it and says where it goes wrong.
    try:
        images = msgspec.json.decode(body, type=Request).data
    except msgspec.DecodeError as error:
        raise ValueError('Expected {{"data": [[784 pixel values], ...]}} in JSON (no NaN): {}.'.format(error))
    if not images:
        raise ValueError('"data" is empty: send at least one image, as {"data": [[784 pixel values]]}.')
    for i, image in enumerate(images):
        if len(image) != PIXELS:
            raise ValueError('Image {} has {} values; every image needs 784 (28x28 pixels).'.format(i, len(image)))
    return np.array(images)
