import json
import os
import re

import joblib
import msgspec
import numpy as np
import simdjson
import sklearn
from azureml.contrib.services.aml_request import rawhttp
from azureml.contrib.services.aml_response import AMLResponse
from sklearn.linear_model import LogisticRegression
from sklearn.multiclass import OneVsRestClassifier

PIXELS = 28 * 28
MAX_BODY_BYTES = 100 * 1024 * 1024  # the whole 10,000-image test set is about 61 MB of JSON
PIECE_BYTES = 1024 * 1024           # simdjson parses the rows about 1 MB at a time

# The start and end of the tutorial's body, {"data": [[...], ..., [...]]}, in any layout.
SPACE = rb'[ \t\n\r]*'   # JSON's whitespace, no more
BODY_HEAD = re.compile(SPACE + rb'\{' + SPACE + rb'"data"' + SPACE + rb':' + SPACE + rb'\[' + SPACE + rb'(?=\[)')
BODY_TAIL = re.compile(rb'\]' + SPACE + rb'\]' + SPACE + rb'\}' + SPACE + rb'\Z')
BETWEEN_ROWS = re.compile(SPACE + rb',' + SPACE)


# For the careful path, msgspec reads any valid JSON, keeps each image row as raw bytes
# until it is needed, and says exactly where a body goes wrong.
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
    global model, one_product
    # AZUREML_MODEL_DIR is an environment variable created during deployment.
    # It is the path to the model folder (./azureml-models/$MODEL_NAME/$VERSION)
    # For multiple models, it points to the folder containing all deployed models (./azureml-models)
    model_path = os.path.join(os.getenv('AZUREML_MODEL_DIR'), 'sklearn_mnist_model.pkl')
    model = joblib.load(model_path)
    one_product = as_one_product(model)
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
    return reply(200, predict(images).tolist())


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
    # Fast path: simdjson parses and checks the rows in C straight into the array, about
    # 1 MB of them at a time: no Python object per pixel, and little more memory than the
    # body and the array. Anything but plain rows of numbers in {"data": [...]} goes to
    # the careful path, which reads any valid JSON and explains what is wrong.
    try:
        return parse_rows_fast(body)
    except Exception:
        return parse_json_carefully(body)


def parse_rows_fast(body):
    view = memoryview(body)
    pieces = [(start, end, count_rows(view[start:end])) for start, end in row_pieces(body)]
    images = np.empty((sum(rows for _, _, rows in pieces), PIXELS))
    if not len(images):
        raise ValueError('no rows')
    parser = simdjson.Parser()
    done = 0
    for start, end, rows in pieces:
        piece = parser.parse(b''.join((b'[', view[start:end], b']')))
        # As many lists as '[' signs, each 784 long: plain rows of numbers, none nested.
        if len(piece) != rows or any(len(row) != PIXELS for row in piece):
            raise ValueError('not rows of 784 numbers')
        images[done:done + rows] = np.frombuffer(piece.as_buffer(of_type='d')).reshape(rows, PIXELS)
        done += rows
        del piece   # the parser is reused: no parsed piece may outlive its turn
    return images


def row_pieces(body):
    """Where the rows are, cut into pieces of about PIECE_BYTES that end where a row ends."""
    head, tail = BODY_HEAD.match(body), BODY_TAIL.search(body, max(0, len(body) - 100))
    if not head or not tail:
        raise ValueError('not the plain envelope')
    start, stop = head.end(), tail.start() + 1
    while True:
        end = stop
        if stop - start > PIECE_BYTES:   # end after the first ']' past PIECE_BYTES
            end = body.find(b']', start + PIECE_BYTES, stop) + 1 or stop
        yield start, end
        if end >= stop:
            return
        comma = BETWEEN_ROWS.match(body, end)
        if not comma:
            raise ValueError('rows not separated by commas')
        start = comma.end()


def count_rows(piece):
    return np.count_nonzero(np.frombuffer(piece, dtype=np.uint8) == ord('['))


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


def as_one_product(model):
    """The tutorial's model (ten one-vs-rest logistic regressions) as one weight matrix."""
    if not (isinstance(model, OneVsRestClassifier) and model.label_binarizer_.y_type_ == 'multiclass'
            and all(type(e) is LogisticRegression for e in model.estimators_)):
        return None
    weights = np.vstack([e.coef_ for e in model.estimators_])   # one row per digit
    intercepts = np.concatenate([e.intercept_ for e in model.estimators_])
    # A score is a sum of 785 terms: 784 pixels in 0..1 times their weights, and the
    # intercept. Summed in any order in float64, it lands within gamma * (sum of |terms|)
    # of the exact sum (Higham, Accuracy and Stability of Numerical Algorithms, 3.1), so
    # two ways of summing differ by at most twice that. A digit that leads the runner-up
    # by more than twice that again leads however the model sums.
    terms, unit = PIXELS + 1, np.finfo(np.float64).eps / 2
    gamma = terms * unit / (1 - terms * unit)
    margin = 4 * gamma * (np.abs(weights).sum(axis=1) + np.abs(intercepts)).max()
    return weights, intercepts, margin


def predict(images):
    # model.predict scores each digit in its own pass over the images; one matrix product
    # scores all ten in one pass, three times faster. When two digits are so close that
    # rounding could pick either, the model itself decides, so answers never change.
    # (The pixels are checked to be in 0..1, so scikit-learn may skip its finiteness scan.)
    if one_product is not None:
        weights, intercepts, margin = one_product
        scores = (weights @ images.T).T + intercepts
        runner_up, best = np.partition(scores, -2, axis=1)[:, -2:].T
        if (best - runner_up > margin).all():
            return model.classes_[scores.argmax(axis=1)]
    with sklearn.config_context(assume_finite=True):
        return model.predict(images)
