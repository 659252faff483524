"""Part 3 (batch scoring with a ParallelRunStep pipeline): the committed notebook and the
script beside it agree, and its committed outputs are those of an emulator run after part 1."""
import nbformat

from helpers import REPO

NOTEBOOK = REPO / "img-classification-part3-batch-score.ipynb"
WRITEFILE = "%%writefile $scoring_folder/batch_score.py\n"


def test_writefile_cell_equals_batch_score_py_byte_for_byte():
    cells = [cell.source for cell in nbformat.read(NOTEBOOK, as_version=4).cells
             if cell.cell_type == "code" and cell.source.startswith(WRITEFILE)]
    assert len(cells) == 1
    assert (cells[0][len(WRITEFILE):] + "\n").encode() == (REPO / "batch-scoring" / "batch_score.py").read_bytes()


def test_notebook_is_committed_with_the_outputs_of_an_emulator_run_with_the_web_services_accuracy():
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    printed = "".join(o.get("text", "") for c in notebook.cells if c.cell_type == "code" for o in c.outputs)
    assert "offline Azure ML workspace emulator" in printed
    assert "Batch scoring accuracy: 0.9025" in printed   # part 2's web service scores 0.9025 with the same model
    assert "Pipeline run: Finished | step run: Finished" in printed
