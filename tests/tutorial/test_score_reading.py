"""How score.py reads and answers a request, in-process: simdjson's whole-body parse gives
exactly what the classic json.loads gives for any layout, anything but plain rows of numbers
goes to msgspec, which reads valid bodies the same way and refuses invalid ones with a
ValueError (a 400), never another exception; `init` loads the model Azure puts in
AZUREML_MODEL_DIR and `run` answers with the status and JSON body the server sends."""
import importlib.util
import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flask import Request
from werkzeug.test import EnvironBuilder

from helpers import REPO, save_model


@pytest.fixture(scope="module")
def score():
    import azureml_inference_server_http.server  # noqa: F401  (makes azureml.contrib.services importable)
    spec = importlib.util.spec_from_file_location("score", REPO / "score.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def classic(body):
    return np.array(json.loads(body)["data"], dtype=float)


# JSON layouts a client may send: json.dumps' defaults, compact, indented, CRLF line ends, other keys.
LAYOUTS = {
    "default": lambda rows: json.dumps({"data": rows}),
    "compact": lambda rows: json.dumps({"data": rows}, separators=(",", ":")),
    "indented": lambda rows: json.dumps({"data": rows}, indent=2),
    "tabs and CRLF": lambda rows: json.dumps({"data": rows}, indent="\t").replace("\n", "\r\n") + "\r\n",
    "other keys, one with brackets": lambda rows: json.dumps({"id": "[1]", "data": rows, "v": [2]}),
}
pixel = st.one_of(st.floats(0, 1), st.sampled_from([0, 1, 0.0, -0.0, 1.0, 5e-324, 1e-300, 0.1 + 0.2]))
# A row: a real MNIST test image (or all zeros) with up to 40 pixels replaced by odd values.
image_row = st.tuples(st.integers(-1, 9999), st.lists(st.tuples(st.integers(0, 783), pixel), max_size=40))


def build_rows(mnist, rows):
    built = []
    for index, replaced in rows:
        row = mnist["X_test"][index].tolist() if index >= 0 else [0.0] * 784
        for position, value in replaced:
            row[position] = value
        built.append(row)
    return built


def test_reading_equals_the_classic_json_loads_for_any_layout(score, mnist):
    @settings(max_examples=80, deadline=None)
    @given(rows=st.lists(image_row, min_size=1, max_size=4), layout=st.sampled_from(sorted(LAYOUTS)))
    def same_images(rows, layout):
        body = LAYOUTS[layout](build_rows(mnist, rows)).encode()
        images, expected = score.read_json(body), classic(body)
        assert images.dtype == np.float64
        assert np.array_equal(images, expected)
        assert np.array_equal(np.signbit(images), np.signbit(expected))   # -0.0 stays -0.0
    same_images()


def test_the_whole_test_set_is_read_in_one_parse(score, mnist):
    body = json.dumps({"data": mnist["X_test"].tolist()}).encode()
    assert np.array_equal(score.read_json(body), mnist["X_test"])


NOT_PLAIN_ROWS = {
    "a value nested in a row": ([[0.5] * 783 + [[0.5]]], "got `array` - at `$.data[0][783]`"),
    "a nested list as long as a row": ([[0.5] * 783 + [[0.5] * 785]], "got `array` - at `$.data[0][783]`"),
    "a string among the numbers": ([[0.5] * 783 + ["0.5"]], "got `str` - at `$.data[0][783]`"),
    "an object among the numbers": ([[0.5] * 783 + [{"v": 0.5}]], "got `object` - at `$.data[0][783]`"),
    "a row that is a number": ([[0.5] * 784, 0.5], "got `float` - at `$.data[1]`"),
    "rows of different lengths": ([[0.5] * 783, [0.5] * 785], "Image 0 has 783 values"),
    "true among the numbers": ([[0.5] * 783 + [True]], "got `bool` - at `$.data[0][783]`"),
    "a flat single image": ([0.5] * 784, "got `float` - at `$.data[0]`"),
}


@pytest.mark.parametrize("case", NOT_PLAIN_ROWS)
def test_anything_but_rows_of_784_numbers_is_refused_saying_where(score, case):
    data, where = NOT_PLAIN_ROWS[case]
    with pytest.raises(ValueError, match=r".*" + where.replace("[", r"\[").replace("$", r"\$")):
        score.read_json(json.dumps({"data": data}).encode())


@pytest.mark.parametrize("pixels, found", [([-1e-9] + [0.5] * 783, "found -1e-09 to 0.5"),
                                           ([1 + 2.3e-16] + [0.5] * 783, "found 0.5 to 1.0000000000000002")])
def test_pixels_just_outside_0_to_1_are_refused(score, pixels, found):
    with pytest.raises(ValueError, match="Pixel values must be in 0..1 \\(" + found):
        score.read_json(json.dumps({"data": [pixels]}).encode())


def test_generated_bodies_are_read_or_refused_with_a_value_error(score):
    @settings(max_examples=200, deadline=None)
    @given(body=st.one_of(st.binary(max_size=200), st.recursive(
        st.none() | st.booleans() | st.floats() | st.text(max_size=4),
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(["data", "x"]), inner),
        max_leaves=20).map(lambda v: json.dumps(v).encode())))
    def read_or_refused(body):
        try:
            images = score.read_json(body)
        except ValueError:
            return
        assert images.ndim == 2 and images.shape[1] == 784 and images.min() >= 0 and images.max() <= 1
    read_or_refused()


def test_binary_images_are_bytes_over_255(score, mnist):
    raw = (mnist["X_test"][:3] * 255).round().astype(np.uint8)
    assert np.array_equal(score.read_binary(raw.tobytes()), raw / 255.0)
    with pytest.raises(ValueError, match="Binary body is 785 bytes; expected a non-empty multiple of 784"):
        score.read_binary(b"\x00" * 785)


@pytest.fixture(scope="module")
def served(score, small_model, tmp_path_factory):
    """score.py after init(), with a real model where Azure's container puts it."""
    folder = save_model(small_model, tmp_path_factory.mktemp("azureml-models") / "sklearn_mnist" / "1")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AZUREML_MODEL_DIR", str(folder.parent))
        score.init()
    return score


def request(body, method="POST", content_type="application/json"):
    """What the inference server hands a raw-HTTP run(): the Flask request it received."""
    return Request(EnvironBuilder(method=method, data=body, content_type=content_type).get_environ())


def answer(response):
    return response.status_code, response.headers["Content-Type"], json.loads(response.get_data())


def test_run_answers_the_models_digits_as_json(served, small_model, mnist):
    images = mnist["X_test"][:5]
    expected = small_model.predict(images).tolist()
    assert answer(served.run(request(json.dumps({"data": images.tolist()})))) == (200, "application/json", expected)
    raw = (images * 255).round().astype(np.uint8).tobytes()
    status, _, digits = answer(served.run(request(raw, content_type="application/octet-stream")))
    assert (status, digits) == (200, small_model.predict(np.frombuffer(raw, np.uint8).reshape(-1, 784) / 255.0).tolist())


def test_run_refuses_what_it_cannot_score_with_the_status_and_reason(served, monkeypatch):
    assert answer(served.run(request(b"", method="GET"))) == (405, "application/json", {"error": "Send images with POST."})
    assert answer(served.run(request(b"{}"))) == (400, "application/json", {
        "error": "Expected {\"data\": [[784 pixel values], ...]} in JSON (no NaN): Object missing required field "
                 "`data`."})
    monkeypatch.setattr(served, "MAX_BODY_BYTES", 10)
    assert answer(served.run(request(b"x" * 11))) == (413, "application/json", {
        "error": "Body is over 10 bytes: send fewer images per request."})
    assert answer(served.run(request(b"x" * 10)))[0] == 400   # exactly the limit is read (and refused as JSON)


def test_plain_rows_are_read_by_the_fast_path_without_the_fallback(score, mnist, monkeypatch):
    def no_fallback(body):
        raise AssertionError("the msgspec fallback read a body of plain rows")
    monkeypatch.setattr(score, "explain", no_fallback)
    body = json.dumps({"id": 7, "data": mnist["X_test"][:3].tolist()}).encode()
    assert np.array_equal(score.read_json(body), mnist["X_test"][:3])


def test_a_binary_body_of_the_wrong_size_says_what_is_expected(score):
    for body in (b"", b"x" * 785):
        with pytest.raises(ValueError) as refused:
            score.read_binary(body)
        assert str(refused.value) == "Binary body is {} bytes; expected a non-empty multiple of 784.".format(len(body))


@pytest.mark.parametrize("body, message", [
    (b'{"data": []}', '"data" is empty: send at least one image, as {"data": [[784 pixel values]]}.'),
    (b'{"data": [[0.5, 0.5]]}', "Image 0 has 2 values; every image needs 784 (28x28 pixels)."),
    (json.dumps({"data": [[0.5] * 783 + [2]]}).encode(),
     "Pixel values must be in 0..1 (found 0.5 to 2.0): scale 0..255 pixels by dividing by 255."),
])
def test_refusals_say_exactly_what_is_wrong_and_what_is_expected(score, body, message):
    with pytest.raises(ValueError) as refused:
        score.read_json(body)
    assert str(refused.value) == message
