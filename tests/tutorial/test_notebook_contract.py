"""The committed notebook and the files beside it agree, and its raw-HTTP cell
works under the pinned NumPy."""
import json

import nbformat
import numpy as np

from helpers import MNIST_DIR, REPO
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


def test_environment_yml_lists_the_same_dependencies_as_pyproject():
    import tomllib
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"]
    wanted = set(project["dependencies"]) | set(extras["tutorial"]) | set(extras["test"])
    lines = (REPO / "environment.yml").read_text().splitlines()
    listed = {line.strip()[2:].strip('"') for line in lines if line.strip().startswith('- "') and "-e ." not in line}
    assert listed == wanted


def printed(path):
    notebook = nbformat.read(path, as_version=4)
    return "".join(output.get("text", "") or output.get("data", {}).get("text/plain", "")
                   for cell in notebook.cells if cell.cell_type == "code" for output in cell.get("outputs", []))


def test_both_parts_agree_on_the_model():
    """Part 1's run logs the accuracy of the model part 2 deploys (part 2's committed outputs
    are those of a run after part 1, which it says it used)."""
    import re
    part1, part2 = printed(REPO / "img-classification-part1-training.ipynb"), printed(NOTEBOOK)
    logged = re.search(r"'accuracy': ([0-9.]+)", part1).group(1)
    assert "Using sklearn_mnist and tutorial-env from part 1" in part2
    assert re.search(r"Overall accuracy: ([0-9.]+)", part2).group(1) == logged
