"""Datasets defined on datastore paths: the SDK's own factories and azureml-dataprep read
the emulator's local copy of the datastore, for files, tables and job inputs."""
import pandas as pd
import pytest
from azureml.core import Dataset
from azureml.data.datapath import DataPath
from azureml.exceptions import UserErrorException

from helpers import job_log, submit_script

PEOPLE = "name,age,score\nann,31,1.5\nbob,42,2.5\ncid,19,3.0\ndee,55,4.0\n"


@pytest.fixture
def datastore(ws, tmp_path):
    folder = tmp_path / "upload"
    (folder / "tree" / "sub").mkdir(parents=True)
    (folder / "tree" / "a.txt").write_text("a")
    (folder / "tree" / "sub" / "b.txt").write_text("b")
    (folder / "tab").mkdir()
    (folder / "tab" / "people.csv").write_text(PEOPLE)
    store = ws.get_default_datastore()
    store.upload(src_dir=str(folder), show_progress=False)
    return store


def test_a_file_dataset_on_a_datastore_lists_and_downloads_its_files(datastore, tmp_path):
    everything = Dataset.File.from_files(path=(datastore, "tree/**"))
    assert sorted(everything.to_path()) == ["/a.txt", "/sub/b.txt"]
    assert Dataset.File.from_files(path=[DataPath(datastore, "tree/sub")]).to_path() == ["/b.txt"]
    assert Dataset.File.from_files("azureml://datastores/workspaceblobstore/paths/tree/a.txt").to_path() == ["/a.txt"]
    everything.download(target_path=str(tmp_path / "got"))
    assert (tmp_path / "got" / "sub" / "b.txt").read_text() == "b"


def test_a_tabular_dataset_reads_infers_types_and_transforms(datastore):
    table = Dataset.Tabular.from_delimited_files(path=[(datastore, "tab/people.csv")])
    frame = table.to_pandas_dataframe()
    pd.testing.assert_frame_equal(frame, pd.DataFrame({"name": ["ann", "bob", "cid", "dee"], "age": [31, 42, 19, 55],
                                                       "score": [1.5, 2.5, 3.0, 4.0]}))
    assert table.take(2).to_pandas_dataframe()["name"].tolist() == ["ann", "bob"]
    assert table.skip(3).to_pandas_dataframe()["name"].tolist() == ["dee"]
    first, second = table.random_split(0.5, seed=7)
    assert sorted(first.to_pandas_dataframe()["name"].tolist() + second.to_pandas_dataframe()["name"].tolist()) \
        == ["ann", "bob", "cid", "dee"]
    assert table.keep_columns(["name"]).to_pandas_dataframe().columns.tolist() == ["name"]
    assert table.drop_columns(["age"]).to_pandas_dataframe().columns.tolist() == ["name", "score"]


def test_registered_versions_come_back_by_name(ws, datastore):
    table = Dataset.Tabular.from_delimited_files(path=[(datastore, "tab/people.csv")])
    assert table.register(ws, "people", create_new_version=True).version == 1
    assert table.take(1).register(ws, "people", create_new_version=True).version == 2
    assert len(Dataset.get_by_name(ws, "people").to_pandas_dataframe()) == 1
    assert len(Dataset.get_by_name(ws, "people", version=1).to_pandas_dataframe()) == 4


def test_upload_directory_copies_into_the_datastore_and_keeps_existing_files(ws, datastore, tmp_path):
    source = tmp_path / "more"
    source.mkdir()
    (source / "a.txt").write_text("new a")
    (source / "c.csv").write_text("c")
    dataset = Dataset.File.upload_directory(src_dir=str(source), target=(datastore, "tree"), show_progress=False)
    assert sorted(dataset.to_path()) == ["/a.txt", "/c.csv", "/sub/b.txt"]
    dataset.download(target_path=str(tmp_path / "kept"))
    assert (tmp_path / "kept" / "a.txt").read_text() == "a"   # overwrite=False keeps what was there
    Dataset.File.upload_directory(src_dir=str(source), target=(datastore, "only-csv"), pattern="*.csv",
                                  show_progress=False)
    assert Dataset.File.from_files((datastore, "only-csv/**")).to_path() == ["/c.csv"]


def test_a_local_path_is_refused_as_azure_refuses_it(datastore, tmp_path):
    with pytest.raises(UserErrorException, match="Invalid argument type for `path`"):
        Dataset.File.from_files(str(tmp_path))


@pytest.mark.parametrize("path", ["../../etc", "up/../../x/*.csv", "..\\..\\etc", "azureml://datastores/{}/paths/a/../../b",
                                  "a\0b"])
def test_a_datastore_path_cannot_leave_the_datastore(datastore, path):
    path = path.format(datastore.name)
    given = (datastore, path) if not path.startswith("azureml://") else path
    with pytest.raises(UserErrorException, match="Datastore path .* (leaves its folder|contains a NUL)"):
        Dataset.File.from_files(given)
    with pytest.raises(UserErrorException, match="Datastore path"):
        Dataset.Tabular.from_delimited_files(given)


def test_dots_inside_a_datastore_path_resolve_to_the_file_they_name(datastore):
    frame = Dataset.Tabular.from_delimited_files((datastore, "other/../tab\\people.csv")).to_pandas_dataframe()
    assert list(frame["name"]) == ["ann", "bob", "cid", "dee"]


def test_a_symbolic_link_in_a_datastore_leads_nowhere_outside_it(datastore, azureml_emulator, tmp_path):
    from azureml_emulator.data_access.datastore_paths import local_path
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "data.csv").write_text(PEOPLE)
    datastore.upload_files([str(tmp_path / "outside" / "data.csv")], target_path="real", relative_root=str(tmp_path),
                           show_progress=False)
    root = azureml_emulator.home / "blobs" / datastore.account_name / datastore.container_name
    (root / "door").symlink_to(tmp_path / "outside")
    with pytest.raises(UserErrorException, match="leaves its folder through a symbolic link"):
        Dataset.File.from_files((datastore, "door/data.csv"))
    assert local_path(datastore, "real/outside/") == str(root / "real" / "outside") + "/"


def test_a_dataset_on_a_datastore_reaches_a_job(cluster):
    (cluster.work / "up").mkdir()
    (cluster.work / "up" / "data.csv").write_text(PEOPLE)
    store = cluster.ws.get_default_datastore()
    store.upload_files([str(cluster.work / "up" / "data.csv")], target_path="in", show_progress=False)
    dataset = Dataset.File.from_files((store, "in/**"))
    run = submit_script(cluster, "import os, sys\nprint('GOT', open(os.path.join(sys.argv[1], 'data.csv')).read())\n",
                        [dataset.as_mount()])
    run.wait_for_completion()
    assert run.get_status() == "Completed" and "GOT name,age,score" in job_log(run)
