"""The committed notebook and the files beside it agree, and its raw-HTTP cell
works under the pinned NumPy."""
import json
from pathlib import Path

import nbformat
import numpy as np

from conftest import MNIST_DIR, REPO
from utils import load_data

NOTEBOOK = REPO / "img-classification-part2-deploy.ipynb"


def code_cells():
    return [cell.source for cell in nbformat.read(NOTEBOOK, as_version=4).cells if cell.cell_type == "code"]


def test_writefile_cell_equals_score_py_byte_for_byte():
    cells = [source for source in code_cells() if source.startswith("%%writefile score.py\n")]
    assert len(cells) == 1
    # %%writefile writes the cell body plus a final newline.
    assert (cells[0][len("%%writefile score.py\n"):] + "\n").encode() == (REPO / "score.py").read_bytes()


def test_raw_http_cell_builds_valid_json_with_the_pinned_numpy():
    assert int(np.__version__.split(".")[0]) < 2   # NumPy 2 prints np.float64(...) and breaks this cell
    row = load_data(MNIST_DIR / "t10k-images-idx3-ubyte.gz")[0] / 255.0
    input_data = "{\"data\": [" + str(list(row)) + "]}"
    assert np.array_equal(np.array(json.loads(input_data)["data"][0]), row)
    assert any('str(list(X_test[random_index]))' in source for source in code_cells())


def test_notebook_is_committed_with_outputs_of_an_emulator_run():
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    printed = "".join(o.get("text", "") for c in notebook.cells if c.cell_type == "code" for o in c.outputs)
    assert "offline Azure ML workspace emulator" in printed
    assert "Overall accuracy: 0.9025" in printed
