import json
import os

import joblib
import msgspec
import numpy as np
import simdjson
import sklearn
from azureml.contrib.services.aml_request import rawhttp
from azureml.contrib.services.aml_response import AMLResponse

PIXELS = 28 * 28
MAX_BODY_BYTES = 100 * 1024 * 1024  # the whole 10,000-image test set is about 61 MB of JSON


# msgspec checks the JSON and its types in C, keeps each image row as raw bytes until
# it is parsed, and says exactly where a body goes wrong.
class ScoringRequest(msgspec.Struct):
    data: list[msgspec.Raw]


decode_request = msgspec.json.Decoder(ScoringRequest)
decode_row = msgspec.json.Decoder(list[float])


# The server serves swagger.json from the app folder when there is one; init() writes
# this description of both input formats there.
SWAGGER = {
    'swagger': '2.0',
    'info': {'title': 'MNIST digit classifier', 'version': '1.0'},
    'paths': {'/score': {'post': {
        'summary': 'Predict the digit in each 28x28 grayscale image',
        'consumes': ['application/json', 'application/octet-stream'],
        'produces': ['application/json'],
        'parameters': [{'in': 'body', 'name': 'images', 'required': True, 'schema': {
            'description': 'application/json: {"data": [[784 pixel values in 0..1], ...]}. '
                           'application/octet-stream: 784 uint8 pixels (0..255) per image, row by row.',
            'type': 'object', 'required': ['data'], 'properties': {'data': {'type': 'array', 'items': {
                'type': 'array', 'minItems': PIXELS, 'maxItems': PIXELS,
                'items': {'type': 'number', 'minimum': 0, 'maximum': 1}}}}}}],
        'responses': {
            '200': {'description': 'One digit per image', 'schema': {'type': 'array', 'items': {'type': 'integer'}}},
            '400': {'description': '{"error": "what was wrong and what is expected"}'},
            '413': {'description': 'Body over MAX_BODY_BYTES'}}}}},
}


class BadInput(Exception):
    """The request cannot be scored; the message says what was wrong and what is expected."""


def init():
    global model
    # AZUREML_MODEL_DIR is an environment variable created during deployment.
    # It is the path to the model folder (./azureml-models/$MODEL_NAME/$VERSION)
    # For multiple models, it points to the folder containing all deployed models (./azureml-models)
    model_path = os.path.join(os.getenv('AZUREML_MODEL_DIR'), 'sklearn_mnist_model.pkl')
    model = joblib.load(model_path)
    swagger_path = os.path.join(os.getenv('AML_APP_ROOT', '.'), 'swagger.json')
    if not os.path.exists(swagger_path):
        with open(swagger_path, 'w') as f:
            json.dump(SWAGGER, f)


@rawhttp
def run(request):
    # Same contract as the classic tutorial: {"data": [[784 pixels in 0..1], ...]} in,
    # a JSON list of digit labels out. Raw uint8 images (application/octet-stream) also work.
    if request.method != 'POST':
        return reply(405, {'error': 'Send images with POST.'})
    if (request.content_length or 0) > MAX_BODY_BYTES:
        return too_large(request.content_length)
    body = request.get_data(cache=False)
    if len(body) > MAX_BODY_BYTES:
        return too_large(len(body))
    try:
        if request.mimetype == 'application/octet-stream':
            images = parse_binary(body)   # bytes / 255 are always in 0..1
        else:
            images = parse_json(body)
            check_pixels(images)
    except BadInput as error:
        return reply(400, {'error': str(error)})
    # The pixels are checked, so scikit-learn can skip its own finiteness scan.
    with sklearn.config_context(assume_finite=True):
        return reply(200, model.predict(images).tolist())


def reply(status, content):
    return AMLResponse(json.dumps(content), status, {'Content-Type': 'application/json'})


def too_large(size):
    return reply(413, {'error': 'Body of {} bytes is over the {} byte limit: send fewer images per request.'
                                .format(size, MAX_BODY_BYTES)})


def parse_binary(body):
    # Each image is 784 bytes: 28x28 uint8 pixels (0..255), row by row.
    if not body or len(body) % PIXELS:
        raise BadInput('Binary body is {} bytes; expected a non-empty multiple of {} '
                       '(one 28x28 uint8 image per {} bytes).'.format(len(body), PIXELS, PIXELS))
    return np.frombuffer(body, dtype=np.uint8).reshape(-1, PIXELS) / 255.0


def parse_json(body):
    # Fast path: msgspec splits the body into rows without parsing the numbers, and
    # simdjson parses each row in C straight into the array: no Python object per
    # pixel, and no more memory than the body and the array. Anything that is not
    # plain rows of 784 numbers fails here and goes to the careful path, which finds
    # and explains the problem.
    try:
        return parse_rows_fast(body)
    except Exception:
        return parse_json_carefully(body)


def parse_rows_fast(body):
    rows = decode_request.decode(body).data
    if not rows:
        raise ValueError('no rows')
    images = np.empty((len(rows), PIXELS))
    parser = simdjson.Parser()
    for i, raw in enumerate(rows):
        row = parser.parse(memoryview(raw))
        if len(row) != PIXELS:   # a nested list would flatten to the right count
            raise ValueError('row {} is not 784 numbers'.format(i))
        images[i] = np.frombuffer(row.as_buffer(of_type='d'))
        del row   # the parser is reused: no parsed row may outlive its turn
    return images


def parse_json_carefully(body):
    if not body.isascii():
        try:
            body.decode('utf-8')
        except UnicodeDecodeError as error:
            raise BadInput('Body is not UTF-8 text ({}); send JSON encoded as UTF-8.'.format(error))
    try:
        rows = decode_request.decode(body).data
    except msgspec.ValidationError as error:
        raise BadInput('Expected a JSON object {{"data": [[784 pixel values], ...]}}: {}.'.format(error))
    except msgspec.DecodeError as error:
        hint = ' NaN and Infinity are not valid JSON or pixel values.' if b'NaN' in body or b'Infinity' in body else ''
        raise BadInput('Body is not valid JSON ({}).{}'.format(error, hint))
    if not rows:
        raise BadInput('"data" is empty: send at least one image, as {"data": [[784 pixel values]]}.')
    if not bytes(rows[0]).lstrip().startswith(b'['):
        raise BadInput('"data" must be a list of images, each a list of 784 values. It looks like a single '
                       'image sent as a flat list: wrap it in another list, {"data": [[...784 values...]]}.')
    images = np.empty((len(rows), PIXELS))
    for i, row in enumerate(rows):
        try:
            values = decode_row.decode(row)
        except msgspec.ValidationError as error:
            raise BadInput('Image {} must be a list of 784 numbers in 0..1: {}.'.format(i, error))
        if len(values) != PIXELS:
            raise BadInput('Image {} has {} values; every image needs {} (28x28 pixels).'
                           .format(i, len(values), PIXELS))
        images[i] = values
    return images


def check_pixels(images):
    # (NaN and infinity never get here: they are not valid JSON, and bytes cannot hold them.)
    if images.min() < 0 or images.max() > 1:
        raise BadInput('Pixel values must be in 0..1 (found {} to {}): scale 0..255 pixels by dividing by 255.'
                       .format(images.min(), images.max()))
