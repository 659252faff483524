"""Output datasets (`OutputFileDatasetConfig` in a run's arguments): the job gets a writable
folder as the argument and in `run.output_datasets`, and its files reach the destination on the
datastore, while the job runs (mount) or when it has ended (upload); registering the output as a
dataset fails the run as not emulated."""
import pytest
from azureml.core import Experiment, ScriptRunConfig
from azureml.data import OutputFileDatasetConfig
from azureml.exceptions import ActivityFailedException

from helpers import job_log, kernel_environment

WRITE = """
import os, sys
from azureml.core import Run
outputs = Run.get_context().output_datasets
for name, folder in zip(sys.argv[1::2], sys.argv[2::2]):
    print('SAME', name, outputs[name] == folder)
    with open(os.path.join(folder, name + '.txt'), 'w') as out:
        out.write('from ' + name)
"""


def _submit(ws, tmp_path, arguments):
    (tmp_path / "src").mkdir(exist_ok=True)
    (tmp_path / "src" / "train.py").write_text(WRITE)
    kernel = kernel_environment()
    return Experiment(ws, "outputs").submit(ScriptRunConfig(
        source_directory=str(tmp_path / "src"), script="train.py", arguments=arguments, compute_target="local",
        environment=kernel))


def test_mounted_and_uploaded_outputs_reach_their_destinations(azureml_emulator, ws, tmp_path):
    store = ws.get_default_datastore()
    mounted = OutputFileDatasetConfig(name="mounted", destination=(store, "results/{run-id}/{output-name}"))
    uploaded = OutputFileDatasetConfig(name="uploaded").as_upload()
    run = _submit(ws, tmp_path, ["mounted", mounted, "uploaded", uploaded])
    run.wait_for_completion(raise_on_error=True)
    assert "SAME mounted True" in job_log(run) and "SAME uploaded True" in job_log(run)
    store.download(str(tmp_path / "back"), prefix="results", show_progress=False)
    assert (tmp_path / "back" / "results" / run.id / "mounted" / "mounted.txt").read_text() == "from mounted"
    # No destination: workspaceblobstore, dataset/{run-id}/{output-name}.
    store.download(str(tmp_path / "back"), prefix="dataset/" + run.id, show_progress=False)
    assert (tmp_path / "back" / "dataset" / run.id / "uploaded" / "uploaded.txt").read_text() == "from uploaded"


def test_registering_an_output_on_completion_fails_the_run_as_not_emulated(azureml_emulator, ws, tmp_path):
    output = OutputFileDatasetConfig(name="reg").register_on_complete("registered")
    run = _submit(ws, tmp_path, ["reg", output])
    with pytest.raises(ActivityFailedException, match="not emulated by azureml_emulator: registering output reg"):
        run.wait_for_completion(raise_on_error=True)
