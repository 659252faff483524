"""`make run`'s runner: runs notebooks in order on the emulator kernel, in one fresh home
next to their output, writes the executed copies, reports the accuracy lines, and fails
loudly."""
import subprocess
import sys

import nbformat

from helpers import REPO


def notebook(tmp_path, *sources, name="nb.ipynb"):
    path = tmp_path / name
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources]), path)
    return path


def run(paths, tmp_path):
    paths = paths if isinstance(paths, list) else [paths]
    return subprocess.run([sys.executable, "-m", "azureml_emulator.tools.run_notebook", *map(str, paths),
                           "--output-dir", str(tmp_path / "executed")],
                          cwd=REPO, capture_output=True, text=True, timeout=300)


def test_a_notebook_that_prints_its_accuracy_passes(tmp_path):
    path = notebook(tmp_path, "import os\nprint(os.environ['AZUREML_EMULATOR_HOME'])",
                    "print('Overall accuracy: 0.9025')")
    done = run(path, tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.rstrip().endswith("Accuracy of the web service on the 10,000 MNIST test images: 0.9025")
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
    assert "No accuracy in the notebooks' output" in done.stderr


def test_notebooks_run_in_order_in_one_workspace_and_both_accuracies_are_reported(tmp_path):
    first = notebook(tmp_path, "import os\nopen(os.environ['AZUREML_EMULATOR_HOME'] + '/mark', 'w').write('1')",
                     "print({'regularization rate': 0.5, 'accuracy': 0.91})", name="part1.ipynb")
    second = notebook(tmp_path, "import os\nprint(open(os.environ['AZUREML_EMULATOR_HOME'] + '/mark').read())",
                      "print('Overall accuracy: 0.9')", name="part2.ipynb")
    done = run([first, second], tmp_path)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[-2:] == ["Accuracy the training run logged: 0.91",
                          "Accuracy of the web service on the 10,000 MNIST test images: 0.9"]
    executed = nbformat.read(tmp_path / "executed" / "part2.ipynb", as_version=4)
    assert executed.cells[0].outputs[0]["text"].strip() == "1"   # part 2 saw part 1's workspace
    assert (tmp_path / "executed" / "part1.ipynb").is_file()


def test_a_failing_first_notebook_stops_the_run(tmp_path):
    first = notebook(tmp_path, "raise RuntimeError('part 1 broke')", name="part1.ipynb")
    second = notebook(tmp_path, "print('Overall accuracy: 0.9')", name="part2.ipynb")
    done = run([first, second], tmp_path)
    assert done.returncode == 1 and "part 1 broke" in done.stderr
    assert not (tmp_path / "executed" / "part2.ipynb").exists()
