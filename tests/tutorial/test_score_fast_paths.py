"""score.py's two fast paths, in-process: the JSON rows that simdjson parses piece by piece,
and the ten digit scores from one matrix product. Each must give exactly what the slow,
obvious way gives (json.loads + np.array; model.predict), or hand over to it."""
import importlib.util
import json
from unittest import mock

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.linear_model import LogisticRegression
from sklearn.multiclass import OneVsRestClassifier

from conftest import REPO, save_model


@pytest.fixture(scope="module")
def score():
    import azureml_inference_server_http.server  # noqa: F401  (makes azureml.contrib.services importable)
    spec = importlib.util.spec_from_file_location("score_under_test", REPO / "score.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def tutorial_model(mnist):
    """The tutorial's kind of model: ten one-vs-rest logistic regressions (on fewer images, to be quick)."""
    return OneVsRestClassifier(LogisticRegression(C=2.0, solver="liblinear", random_state=42)).fit(
        mnist["X_train"][:2000], mnist["y_train"][:2000])


def run_init(score, model, folder, monkeypatch):
    """score.py after init(), as the server runs it, with this model registered."""
    save_model(model, folder / "model")
    monkeypatch.setenv("AZUREML_MODEL_DIR", str(folder / "model"))
    monkeypatch.setenv("AML_APP_ROOT", str(folder))
    score.init()
    return score


@pytest.fixture
def deployed(score, tutorial_model, tmp_path, monkeypatch):
    return run_init(score, tutorial_model, tmp_path, monkeypatch)


def slow_parse(body):
    return np.array(json.loads(body)["data"], dtype=float)


# JSON layouts a client may send: json.dumps' defaults, compact, indented, CRLF line ends.
LAYOUTS = {
    "default": lambda rows: json.dumps({"data": rows}),
    "compact": lambda rows: json.dumps({"data": rows}, separators=(",", ":")),
    "indented": lambda rows: json.dumps({"data": rows}, indent=2),
    "tabs and CRLF": lambda rows: json.dumps({"data": rows}, indent="\t").replace("\n", "\r\n") + "\r\n",
}
pixel = st.one_of(st.floats(0, 1), st.sampled_from([0, 1, 0.0, -0.0, 1.0, 5e-324, 1e-300, 0.1 + 0.2]))
# A row: a real MNIST test image (or all zeros) with up to 40 pixels replaced by odd values.
image_row = st.tuples(st.integers(-1, 9999), st.lists(st.tuples(st.integers(0, 783), pixel), max_size=40))
image_rows = st.lists(image_row, min_size=1, max_size=4)


def build_rows(mnist, rows):
    built = []
    for index, replaced in rows:
        row = mnist["X_test"][index].tolist() if index >= 0 else [0.0] * 784
        for position, value in replaced:
            row[position] = value
        built.append(row)
    return built


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=image_rows, layout=st.sampled_from(sorted(LAYOUTS)), piece_bytes=st.sampled_from([1, 700, 5000, 2 ** 20]))
def test_fast_json_path_equals_json_loads_for_any_layout_and_piece_size(score, mnist, monkeypatch,
                                                                        rows, layout, piece_bytes):
    monkeypatch.setattr(score, "PIECE_BYTES", piece_bytes)
    body = LAYOUTS[layout](build_rows(mnist, rows)).encode()
    images, expected = score.parse_rows_fast(body), slow_parse(body)   # raises if handed to the careful path
    assert images.dtype == np.float64
    assert np.array_equal(images, expected)
    assert np.array_equal(np.signbit(images), np.signbit(expected))   # -0.0 stays -0.0


def test_fast_json_path_on_the_tutorials_payload_cut_into_many_pieces(score, mnist):
    body = json.dumps({"data": mnist["X_test"][:1000].tolist()}).encode()
    assert len(list(score.row_pieces(body))) > 5
    assert np.array_equal(score.parse_rows_fast(body), mnist["X_test"][:1000])


NOT_PLAIN_ROWS = {
    "a value nested in a list": [[0.5] * 783 + [[0.5]]],
    "a nested list as long as a row": [[0.5] * 783 + [[0.5] * 785]],   # as many numbers as two rows
    "a string among the numbers": [[0.5] * 783 + ["0.5"]],
    "an object among the numbers": [[0.5] * 783 + [{"v": 0.5}]],
    "a row that is a number": [[0.5] * 784, 0.5],
    "rows of different lengths": [[0.5] * 783, [0.5] * 785],
    "true among the numbers": [[0.5] * 783 + [True]],
}


@pytest.mark.parametrize("piece_bytes", [100, 2 ** 20], ids=["many pieces", "one piece"])
@pytest.mark.parametrize("case", NOT_PLAIN_ROWS)
def test_fast_json_path_hands_over_anything_but_plain_rows(score, monkeypatch, case, piece_bytes):
    monkeypatch.setattr(score, "PIECE_BYTES", piece_bytes)
    body = json.dumps({"data": NOT_PLAIN_ROWS[case]}).encode()
    with pytest.raises(Exception):
        score.parse_rows_fast(body)
    with pytest.raises(score.BadInput):
        score.parse_json(body)


@pytest.mark.parametrize("body", [
    b'{"data": [[' + b"0.5, " * 783 + b'0.5]], "extra": 1}',
    b'{"extra": 1, "data": [[' + b"0.5, " * 783 + b'0.5]]}',
    b'{"data": [[' + b"0.5, " * 783 + b'0.5]]}' + b" " * 200,   # more trailing space than the fast path looks at
])
def test_valid_json_the_fast_path_does_not_take_is_still_read(score, body):
    assert np.array_equal(score.parse_json(body), slow_parse(body))


def test_one_product_gives_the_models_answers_without_asking_it(deployed, tutorial_model, mnist):
    images = mnist["X_test"]
    with mock.patch.object(deployed.model, "predict", wraps=deployed.model.predict) as asked:
        labels = deployed.predict(images)
    assert asked.call_count == 0
    assert labels.tolist() == tutorial_model.predict(images).tolist()
    assert labels.dtype == tutorial_model.predict(images[:1]).dtype


def test_rounding_margin_covers_the_real_differences(deployed, tutorial_model, mnist):
    weights, intercepts, margin = deployed.one_product
    fast = (weights @ mnist["X_test"].T).T + intercepts
    model_scores = np.column_stack([e.decision_function(mnist["X_test"]) for e in tutorial_model.estimators_])
    assert 0 < np.abs(fast - model_scores).max() <= margin / 4


def near_tie(weights, intercepts, images, labels, margin):
    """An image on the line between two differently labelled images where their two
    digits' scores are equal to within rounding, and no other digit scores higher."""
    for a, b in zip(np.flatnonzero(labels == 3), np.flatnonzero(labels == 5)):
        x, y = images[a], images[b]
        f = lambda z: (weights[3] - weights[5]) @ z + intercepts[3] - intercepts[5]  # noqa: E731
        t = f(x) / (f(x) - f(y))
        tie = (1 - t) * x + t * y
        scores = weights @ tie + intercepts
        top_two = np.sort(scores)[-2:]
        if set(np.argsort(scores)[-2:]) == {3, 5} and top_two[1] - top_two[0] <= margin:
            return tie
    raise AssertionError("no near tie found")


def test_the_model_decides_when_two_digits_are_too_close_to_call(deployed, tutorial_model, mnist):
    weights, intercepts, margin = deployed.one_product
    tie = near_tie(weights, intercepts, mnist["X_test"], tutorial_model.predict(mnist["X_test"]), margin)
    images = np.vstack([mnist["X_test"][:50], tie])
    assert images.min() >= 0 and images.max() <= 1
    with mock.patch.object(deployed.model, "predict", wraps=deployed.model.predict) as asked:
        labels = deployed.predict(images)
    assert asked.call_count == 1
    assert labels.tolist() == tutorial_model.predict(images).tolist()


def test_other_models_are_always_asked(score, mnist, tmp_path, monkeypatch):
    plain = LogisticRegression(max_iter=200).fit(mnist["X_train"][:500], mnist["y_train"][:500])
    run_init(score, plain, tmp_path, monkeypatch)
    assert score.one_product is None
    assert score.predict(mnist["X_test"][:20]).tolist() == plain.predict(mnist["X_test"][:20]).tolist()
