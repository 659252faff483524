"""Datasets as a job's inputs: ``as_mount()`` arrives as a read-only folder holding the
dataset's files, ``as_download()`` as a copied one, and the argument is that path."""
import pytest
from azureml.exceptions import ActivityFailedException
from azureml.opendatasets import MNIST

from helpers import job_log, kernel_environment, submit_script

CHECK_INPUT = """
import glob, os, sys
from azureml.core import Run
folder = sys.argv[1]
print('FOLDER', folder)
print('FILES', sorted(os.path.basename(p) for p in glob.glob(os.path.join(folder, '**/*.gz'), recursive=True)))
print('INPUTS', Run.get_context().input_datasets)
target = glob.glob(os.path.join(folder, '**/*.gz'), recursive=True)[0]
# A mount is read-only: no write permission bits (checked by mode, as jobs here may run as root)
print('WRITABLE' if os.stat(target).st_mode & 0o222 else 'READ-ONLY')
"""


@pytest.mark.parametrize("mechanism, access", [("as_mount", "READ-ONLY"), ("as_download", "WRITABLE")])
def test_a_registered_dataset_reaches_the_job_as_a_local_folder(cluster, mechanism, access):
    dataset = MNIST.get_file_dataset(dataset_filter="test").register(cluster.ws, name="mnist-test",
                                                                    create_new_version=True)
    run = submit_script(cluster, CHECK_INPUT, [getattr(dataset, mechanism)()])
    run.wait_for_completion()
    log = job_log(run)
    folder = next(line.split(" ", 1)[1] for line in log.splitlines() if line.startswith("FOLDER"))
    input_name = "input__" + dataset.id.split("-")[0]
    assert folder.endswith("/data/" + input_name)
    assert "FILES ['t10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz']" in log
    assert "INPUTS {{'{}': '{}'}}".format(input_name, folder) in log
    assert access in log


def test_an_unregistered_dataset_is_saved_at_submit_and_mounted(cluster):
    run = submit_script(cluster, CHECK_INPUT, [MNIST.get_file_dataset(dataset_filter="train").as_mount()])
    run.wait_for_completion()
    assert "FILES ['train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz']" in job_log(run)


def test_a_dataset_the_job_cannot_read_fails_the_run_with_the_reason(cluster, tmp_path, monkeypatch):
    dataset = MNIST.get_file_dataset(dataset_filter="test")
    monkeypatch.setenv("AZUREML_EMULATOR_MNIST_DIR", str(tmp_path / "no-mnist-here"))   # inherited by the job
    run = submit_script(cluster, CHECK_INPUT, [dataset.as_mount()])
    with pytest.raises(ActivityFailedException, match="MNIST file t10k-images-idx3-ubyte.gz is missing"):
        # Through Finalizing too: without wait_post_processing the SDK stops polling at Finalizing (not one of
        # its running states) and returns without raising, on Azure as here, if its poll lands there.
        run.wait_for_completion(wait_post_processing=True)


@pytest.mark.parametrize("factory", [
    lambda: __import__("azureml.core", fromlist=["Dataset"]).Dataset.File.from_files("https://example.com/a.csv"),
    lambda: __import__("azureml.core", fromlist=["Dataset"]).Dataset.Tabular.from_delimited_files(
        ["https://example.com/a.csv"], validate=False),
])
def test_a_dataset_on_the_network_is_refused_before_anything_reads_it(azureml_emulator, factory):
    from azureml.exceptions import UserErrorException
    with pytest.raises(UserErrorException, match="azureml_emulator is active, so this dataset was not read: it "
                                                 "reads https://example.com/a.csv, which needs the network"):
        factory()


READ_ONE = """
import os, sys
from azureml.core import Run
path = sys.argv[1]
print('IS_FILE', os.path.isfile(path), os.path.basename(path))
print('TEXT', open(path).read().strip() if os.path.isfile(path) else sorted(os.listdir(path)))
print('INPUT', Run.get_context().input_datasets['one'] == path)
"""


def test_a_mounted_one_file_dataset_is_that_file(cluster, tmp_path):
    from azureml.core import Dataset
    (tmp_path / "up" / "s").mkdir(parents=True)
    (tmp_path / "up" / "s" / "iris.csv").write_text("a,b\n1,2\n")
    store = cluster.ws.get_default_datastore()
    store.upload(str(tmp_path / "up"), target_path=".", show_progress=False)
    consumed = Dataset.File.from_files(path=(store, "s/iris.csv")).as_named_input("one").as_mount()
    run = submit_script(cluster, READ_ONE, [consumed])
    run.wait_for_completion(raise_on_error=True)
    log = job_log(run)
    assert "IS_FILE True iris.csv" in log and "TEXT a,b\n1,2" in log and "INPUT True" in log
    # A folder of one file stays a folder.
    folder = Dataset.File.from_files(path=(store, "s/")).as_named_input("one").as_mount()
    run = submit_script(cluster, READ_ONE, [folder], folder="job2")
    run.wait_for_completion(raise_on_error=True)
    assert "IS_FILE False" in job_log(run) and "INPUT True" in job_log(run)


def test_a_direct_tabular_input_is_the_dataset_itself_in_the_job(azureml_emulator, ws, tmp_path):
    from azureml.core import Dataset, Experiment, ScriptRunConfig
    (tmp_path / "up").mkdir()
    (tmp_path / "up" / "t.csv").write_text("x,y\n1,2\n3,4\n")
    store = ws.get_default_datastore()
    store.upload(str(tmp_path / "up"), target_path="direct", show_progress=False)
    table = Dataset.Tabular.from_delimited_files(path=(store, "direct/t.csv"))
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "train.py").write_text(
        "import sys\nfrom azureml.core import Run\n"
        "frame = Run.get_context().input_datasets['table'].to_pandas_dataframe()\n"
        "print('ROWS', frame.to_dict('list'))\nprint('ARG', sys.argv[1])\n")
    kernel = kernel_environment()   # the kernel has azureml-dataprep and pandas
    run = Experiment(ws, "direct").submit(ScriptRunConfig(
        source_directory=str(tmp_path / "src"), script="train.py", arguments=[table.as_named_input("table")],
        compute_target="local", environment=kernel))
    run.wait_for_completion(raise_on_error=True)
    log = job_log(run)
    assert "ROWS {'x': [1, 3], 'y': [2, 4]}" in log
    assert "ARG " + run.get_details()["runDefinition"]["data"]["table"]["dataLocation"]["dataset"]["id"] in log
