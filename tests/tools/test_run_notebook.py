"""`make run`'s runner: runs a notebook on the emulator kernel in a fresh home next to
its output, writes the executed copy, reports the accuracy line, and fails loudly."""
import subprocess
import sys

import nbformat

from conftest import REPO


def notebook(tmp_path, *sources):
    path = tmp_path / "nb.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources]), path)
    return path


def run(path, tmp_path):
    return subprocess.run([sys.executable, "-m", "azureml_emulator.tools.run_notebook", str(path),
                           "--output", str(tmp_path / "executed" / "nb.ipynb")],
                          cwd=REPO, capture_output=True, text=True, timeout=300)


def test_a_notebook_that_prints_its_accuracy_passes(tmp_path):
    path = notebook(tmp_path, "import os\nprint(os.environ['AZUREML_EMULATOR_HOME'])",
                    "print('Overall accuracy: 0.9025')")
    done = run(path, tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.rstrip().endswith("Accuracy on the 10,000 MNIST test images: 0.9025")
    progress = [line for line in done.stdout.splitlines() if " nb.ipynb cell " in line]
    assert [line.split(" s] ", 1)[1] for line in progress] == [
        "nb.ipynb cell 1 of 2: import os", "nb.ipynb cell 2 of 2: print('Overall accuracy: 0.9025')"]
    assert "without encryption" not in done.stderr and "WARNING" not in done.stderr
    executed = nbformat.read(tmp_path / "executed" / "nb.ipynb", as_version=4)
    home = executed.cells[0].outputs[0]["text"].strip()
    assert home == str(tmp_path / "executed" / "emulator-home")


def test_a_failing_cell_fails_the_run_and_the_executed_copy_is_still_written(tmp_path):
    done = run(notebook(tmp_path, "raise ValueError('cell failed on purpose')"), tmp_path)
    assert done.returncode == 1
    assert "cell failed on purpose" in done.stderr
    assert (tmp_path / "executed" / "nb.ipynb").is_file()


def test_a_notebook_without_an_accuracy_line_fails_the_run(tmp_path):
    done = run(notebook(tmp_path, "print('no accuracy here')"), tmp_path)
    assert done.returncode == 1
    assert "No 'Overall accuracy' line in the notebook's output" in done.stderr
