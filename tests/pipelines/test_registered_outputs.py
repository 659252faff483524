"""A step's output registered as a dataset when the step completes: OutputFileDatasetConfig's
``register_on_complete`` (a FileDataset, or a TabularDataset after ``read_delimited_files``) and
``PipelineData.as_dataset().register``; each run adds a version; what the emulator cannot
register is refused at submit, before any step runs."""
import pytest
from azureml.core import Dataset
from azureml.data import FileDataset, OutputFileDatasetConfig, TabularDataset
from azureml.pipeline.core import Pipeline, PipelineData

from test_pipelines import script_folder, step

WRITE = """
import os, sys
for folder in sys.argv[1:]:
    os.makedirs(folder, exist_ok=True)
    open(os.path.join(folder, 'rows.csv'), 'w').write('digit,name\\n7,seven\\n')
"""


def registering_pipeline(cluster):
    files = OutputFileDatasetConfig(name="files").register_on_complete(name="written", description="the files",
                                                                       tags={"kind": "files"})
    rows = OutputFileDatasetConfig(name="rows").read_delimited_files().register_on_complete(name="rows")
    data = PipelineData("data", datastore=cluster.ws.get_default_datastore()).as_dataset().register("from_data")
    write = step(cluster, "write", script_folder(cluster, write=WRITE), arguments=[files, rows, data], outputs=[data],
                 allow_reuse=False)
    return Pipeline(cluster.ws, steps=[write])


def test_outputs_are_registered_as_datasets_when_the_step_completes_and_each_run_adds_a_version(cluster):
    pipeline = registering_pipeline(cluster)
    run = cluster.experiment.submit(pipeline)
    assert run.wait_for_completion(show_output=False) == "Finished"
    written = Dataset.get_by_name(cluster.ws, "written")
    assert isinstance(written, FileDataset) and written.version == 1
    assert written.description == "the files" and written.tags == {"kind": "files"}
    (write,) = run.get_steps()
    assert written.to_path() == ["/rows.csv"]
    downloaded = written.download(target_path=str(cluster.work / "written"))
    assert open(downloaded[0]).read() == "digit,name\n7,seven\n"
    rows = Dataset.get_by_name(cluster.ws, "rows")
    assert isinstance(rows, TabularDataset)
    assert rows.to_pandas_dataframe().to_dict("records") == [{"digit": "7", "name": "seven"}]
    from_data = Dataset.get_by_name(cluster.ws, "from_data")
    assert isinstance(from_data, FileDataset) and from_data.to_path() == ["/rows.csv"]
    assert "azureml/{}/data".format(write.id) in from_data._dataflow.to_json()

    again = cluster.experiment.submit(pipeline)
    assert again.wait_for_completion(show_output=False) == "Finished"
    latest = Dataset.get_by_name(cluster.ws, "written")
    assert latest.version == 2 and Dataset.get_by_name(cluster.ws, "written", version=1).version == 1
    (write_again,) = again.get_steps()
    assert write_again.id in latest._dataflow.to_json() and write.id not in latest._dataflow.to_json()


def test_a_registration_the_emulator_cannot_make_is_refused_at_submit(cluster):
    rows = OutputFileDatasetConfig(name="rows").read_parquet_files()
    write = step(cluster, "write", script_folder(cluster, write=WRITE),
                 arguments=[rows.register_on_complete(name="typed")], allow_reuse=False)
    with pytest.raises(Exception, match="ReadParquetFileBlock") as refused:
        cluster.experiment.submit(Pipeline(cluster.ws, steps=[write]))
    assert "not emulated by azureml_emulator" in str(refused.value)
    assert list(cluster.experiment.get_runs()) == []   # nothing ran
