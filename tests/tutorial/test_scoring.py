"""The tutorial's score.py contract, its binary format, and a 400 for every bad input,
checked against the real inference server running the repository's score.py."""
import json
import os
import shutil

import numpy as np
import pytest
import requests
from azureml.core import Model, Workspace
from azureml.core.model import InferenceConfig
from azureml.core.webservice import AciWebservice
from hypothesis import given, settings
from hypothesis import strategies as st

from azureml_emulator import emulate
from azureml_emulator.tools import housekeeping
from helpers import REPO, as_json_body, save_model, service_environment
from utils import score_binary, to_binary_body


@pytest.fixture(scope="module")
def service(tmp_path_factory, small_model):
    home, work = tmp_path_factory.mktemp("scoring-home"), tmp_path_factory.mktemp("scoring-work")
    shutil.copy(REPO / "score.py", work / "score.py")
    save_model(small_model, work)
    previous = os.getcwd()
    os.chdir(work)   # the SDK registers model files from below the working folder only
    try:
        with emulate(home=home):
            ws = Workspace.get("scoring")
            model = Model.register(ws, model_path="sklearn_mnist_model.pkl", model_name="sklearn_mnist")
            config = InferenceConfig(entry_script="score.py", environment=service_environment("scoring-env"))
            svc = Model.deploy(ws, "scoring-svc", [model], config,
                               AciWebservice.deploy_configuration(cpu_cores=1, memory_gb=1))
            svc.wait_for_deployment()
            yield svc
            housekeeping.stop_all_services(home)
    finally:
        os.chdir(previous)


def tutorial_run(model, raw_data):
    """What the classic tutorial's run() answers for a body."""
    return model.predict(np.array(json.loads(raw_data)["data"])).tolist()


def post(service, body, content_type="application/json"):
    return requests.post(service.scoring_uri, data=body, headers={"Content-Type": content_type}, timeout=60)


def assert_still_serving(service, small_model, mnist):
    images = mnist["X_test"][:3]
    assert post(service, as_json_body(images)).json() == small_model.predict(images).tolist()


@pytest.mark.parametrize("body", [
    {"data": "SAMPLES"},
    {"data": "SAMPLES", "extra": "ignored, as json.loads + ['data'] ignores it"},
    {"data": "INTS"},
    {"data": "ONE"},
])
def test_same_answers_as_the_tutorial(service, small_model, mnist, body):
    images = mnist["X_test"][:40]
    rows = {"SAMPLES": images.tolist(), "INTS": (images > 0.5).astype(int).tolist(),
            "ONE": images[:1].tolist()}[body["data"]]
    raw = json.dumps(dict(body, data=rows), indent=None if "extra" in body else 1)
    assert service.run(raw) == tutorial_run(small_model, raw)


def test_binary_format_gives_the_same_answers(service, mnist):
    images = mnist["X_test"][:500]
    assert score_binary(service.scoring_uri, images) == service.run(as_json_body(images))


def test_a_method_other_than_post_gets_a_405(service):
    answer = requests.get(service.scoring_uri, timeout=10)
    assert answer.status_code == 405 and answer.json() == {"error": "Send images with POST."}


FLAT_ROW = json.dumps({"data": [0.0] * 784})
BAD_BODIES = [
    ("not JSON", b"hello there", "application/json", "in JSON (no NaN): JSON is malformed"),
    ("not UTF-8", b'{"data": [[0.5\xff]]}', "application/json", "JSON is malformed: expected ',' or ']' (byte 14)"),
    ("no data", b'{"images": [[0.0]]}', "application/json", "missing required field `data`"),
    ("data not a list", b'{"data": "pixels"}', "application/json", "Expected `array`, got `str` - at `$.data`"),
    ("empty list", b'{"data": []}', "application/json", '"data" is empty'),
    ("short row", json.dumps({"data": [[0.0] * 783]}).encode(), "application/json",
     "Image 0 has 783 values; every image needs 784"),
    ("ragged rows", json.dumps({"data": [[0.0] * 784, [0.0] * 100]}).encode(), "application/json",
     "Image 1 has 100 values"),
    ("flat single row", FLAT_ROW.encode(), "application/json", "Expected `array`, got `float` - at `$.data[0]`"),
    ("non-numeric", json.dumps({"data": [[0.0] * 5 + ["x"] + [0.0] * 778]}).encode(), "application/json",
     "Expected `float`, got `str` - at `$.data[0][5]`"),
    ("value nested in a row", json.dumps({"data": [[0.0] * 783 + [[0.0]]]}).encode(), "application/json",
     "Expected `float`, got `array` - at `$.data[0][783]`"),
    ("NaN", json.dumps({"data": [[float("nan")] * 784]}).encode(), "application/json", "(no NaN): JSON is malformed"),
    ("infinity", b'{"data": [[1e999' + b", 0.0" * 783 + b"]]}", "application/json",
     "Number out of range - at `$.data[0][0]`"),
    ("negative pixels", json.dumps({"data": [[-0.1] + [0.0] * 783]}).encode(), "application/json",
     "Pixel values must be in 0..1 (found -0.1 to 0.0)"),
    ("0..255 pixels", json.dumps({"data": [[255.0] * 784]}).encode(), "application/json",
     "scale 0..255 pixels by dividing by 255"),
    ("binary not a multiple of 784", b"\x00" * 1000, "application/octet-stream",
     "Binary body is 1000 bytes; expected a non-empty multiple of 784"),
    ("empty binary", b"", "application/octet-stream", "Binary body is 0 bytes"),
]


@pytest.mark.parametrize("case, body, content_type, expected", BAD_BODIES, ids=[c[0] for c in BAD_BODIES])
def test_bad_input_gets_a_400_that_explains(service, small_model, mnist, case, body, content_type, expected):
    answer = post(service, body, content_type)
    assert answer.status_code == 400
    assert answer.headers["Content-Type"] == "application/json"
    assert expected in answer.json()["error"]
    assert_still_serving(service, small_model, mnist)


def test_body_over_the_limit_gets_a_413(service, small_model, mnist):
    """ACI's front end refuses it before score.py sees it, as Azure does."""
    answer = post(service, b"0" * (100 * 1024 * 1024 + 1))
    assert answer.status_code == 413
    assert "413 Request Entity Too Large" in answer.text
    assert_still_serving(service, small_model, mnist)


def test_the_sdk_reports_a_400_as_a_webservice_exception(service):
    from azureml.exceptions import WebserviceException
    with pytest.raises(WebserviceException, match="Response Code: 400"):
        service.run(json.dumps({"data": [[255] * 784]}))


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=5),
    lambda children: st.lists(children, max_size=6) | st.dictionaries(st.text(max_size=5), children, max_size=3),
    max_leaves=30)
malformed_json_bodies = st.one_of(
    json_values.map(lambda v: json.dumps(v).encode()),
    json_values.map(lambda v: json.dumps({"data": v}).encode()),
    st.lists(st.lists(st.floats(allow_nan=False, allow_infinity=False, width=32), min_size=0, max_size=790),
             min_size=0, max_size=3).map(lambda rows: json.dumps({"data": rows}).encode()),
    st.binary(max_size=300),
)


def assert_answered_without_error(service, small_model, mnist):
    assert_still_serving(service, small_model, mnist)
    assert " 500 " not in service.get_logs()


def test_generated_json_bodies_never_get_a_500_and_the_service_keeps_serving(service, small_model, mnist):
    @settings(max_examples=150, deadline=None)
    @given(body=malformed_json_bodies)
    def never_a_500(body):
        answer = post(service, body)
        assert answer.status_code in (200, 400), (answer.status_code, answer.text[:300])
        if answer.status_code == 400:
            assert answer.json()["error"]
        else:
            assert all(isinstance(label, int) for label in answer.json())
    never_a_500()
    assert_answered_without_error(service, small_model, mnist)


def test_generated_binary_bodies_never_get_a_500_and_the_service_keeps_serving(service, small_model, mnist):
    @settings(max_examples=60, deadline=None)
    @given(body=st.binary(max_size=4000))
    def never_a_500(body):
        answer = post(service, body, "application/octet-stream")
        expected = 200 if body and len(body) % 784 == 0 else 400
        assert answer.status_code == expected, answer.text[:300]
    never_a_500()
    assert_answered_without_error(service, small_model, mnist)


def test_binary_helper_rounds_scaled_pixels_back_to_bytes(mnist):
    assert len(to_binary_body(mnist["X_test"][:10])) == 7840
