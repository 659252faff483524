"""How score.py reads a request, in-process: simdjson's whole-body parse gives exactly
what the classic json.loads gives for any layout, anything but plain rows of numbers goes
to msgspec, which reads valid bodies the same way and refuses invalid ones with a
ValueError (a 400), never another exception."""
import importlib.util
import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import REPO


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
