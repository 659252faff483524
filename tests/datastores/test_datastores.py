"""Datastores through the SDK's own Datastore classes and storage client: the two every
workspace has, registering, the default, and files up and down through the emulated Blob
service, with Azure's errors."""
import pytest
from azureml.core import Datastore
from azureml.data.azure_storage_datastore import AzureBlobDatastore, AzureFileDatastore
from azureml.exceptions import UserErrorException


@pytest.fixture
def files(tmp_path):
    (tmp_path / "data" / "sub").mkdir(parents=True)
    (tmp_path / "data" / "a.csv").write_text("x,y\n1,2\n")
    (tmp_path / "data" / "sub" / "b.csv").write_text("x,y\n3,4\n")
    (tmp_path / "data" / "empty.txt").write_text("")
    return tmp_path / "data"


def test_every_workspace_has_a_default_blob_store_and_a_file_store(ws):
    default = ws.get_default_datastore()
    assert isinstance(default, AzureBlobDatastore) and default.name == "workspaceblobstore"
    assert Datastore.get_default(ws).name == "workspaceblobstore"
    assert default.container_name == "azureml-blobstore-" + ws._workspace_id
    assert sorted(ws.datastores) == ["workspaceblobstore", "workspacefilestore"]
    assert isinstance(Datastore.get(ws, "workspacefilestore"), AzureFileDatastore)
    assert isinstance(Datastore(ws, "workspaceblobstore"), AzureBlobDatastore)


def test_a_missing_datastore_is_azures_user_error(ws):
    with pytest.raises(UserErrorException, match=r"\(UserError\) Could not find datastore: missing"):
        Datastore.get(ws, "missing")


def test_files_go_up_and_come_back_through_the_storage_client(ws, files, tmp_path, capsys):
    store = ws.get_default_datastore()
    reference = store.upload_files([str(files / "a.csv")], target_path="up", show_progress=True)
    assert reference.path_on_datastore == "up" and reference.datastore.name == "workspaceblobstore"
    store.upload(src_dir=str(files), target_path="tree", show_progress=False)
    assert store.download(target_path=str(tmp_path / "dl"), prefix="tree") == 3
    assert (tmp_path / "dl" / "tree" / "sub" / "b.csv").read_text() == "x,y\n3,4\n"
    assert (tmp_path / "dl" / "tree" / "empty.txt").read_bytes() == b""
    assert store.download(target_path=str(tmp_path / "none"), prefix="nothing-here") == 0


def test_an_existing_blob_is_skipped_unless_overwrite_as_on_azure(ws, files, tmp_path, capsys):
    store = ws.get_default_datastore()
    store.upload_files([str(files / "a.csv")], target_path="once")
    (files / "a.csv").write_text("changed\n")
    store.upload_files([str(files / "a.csv")], target_path="once", overwrite=False)
    assert "Target already exists. Skipping upload for once/a.csv" in capsys.readouterr().out
    store.download(target_path=str(tmp_path / "first"), prefix="once")
    assert (tmp_path / "first" / "once" / "a.csv").read_text() == "x,y\n1,2\n"
    store.upload_files([str(files / "a.csv")], target_path="once", overwrite=True)
    store.download(target_path=str(tmp_path / "second"), prefix="once")
    assert (tmp_path / "second" / "once" / "a.csv").read_text() == "changed\n"


def test_registered_containers_keep_their_data_under_the_emulator_home(ws, azureml_emulator, files):
    mine = Datastore.register_azure_blob_container(ws, "MyBlob", "cont1", "acct1", account_key="S0VZ")
    assert mine.name == "myblob" and mine.container_name == "cont1" and mine.account_name == "acct1"
    mine.upload_files([str(files / "a.csv")], target_path="in")
    assert (azureml_emulator.home / "blobs" / "acct1" / "cont1" / "in" / "a.csv").read_text() == "x,y\n1,2\n"
    assert sorted(ws.datastores) == ["myblob", "workspaceblobstore", "workspacefilestore"]


def test_registering_a_name_twice_needs_overwrite(ws):
    Datastore.register_azure_blob_container(ws, "twice", "ctr1", "acct", account_key="S0VZ")
    with pytest.raises(UserErrorException, match="Another datastore with the same name already exists"):
        Datastore.register_azure_blob_container(ws, "twice", "ctr2", "acct", account_key="S0VZ")
    assert Datastore.get(ws, "twice").container_name == "ctr1"
    Datastore.register_azure_blob_container(ws, "twice", "ctr2", "acct", account_key="S0VZ", overwrite=True)
    assert Datastore.get(ws, "twice").container_name == "ctr2"


def test_the_default_can_change_and_only_a_non_default_store_can_go(ws):
    Datastore.register_azure_blob_container(ws, "other", "ctr", "acct", account_key="S0VZ")
    ws.set_default_datastore("other")
    assert ws.get_default_datastore().name == "other"
    with pytest.raises(UserErrorException, match="is the workspace's default"):
        Datastore.get(ws, "other").unregister()
    ws.set_default_datastore("workspaceblobstore")
    Datastore.get(ws, "other").unregister()
    assert "other" not in ws.datastores


def test_a_datastore_name_with_other_characters_is_refused(ws):
    with pytest.raises(UserErrorException, match="can contain only letters, digits and underscores"):
        Datastore.register_azure_blob_container(ws, "bad-name!", "ctr", "acct", account_key="S0VZ")


def test_a_container_name_azure_refuses_is_refused_when_registered(ws):
    with pytest.raises(UserErrorException, match="Container name '../../escape' is invalid"):
        Datastore.register_azure_blob_container(ws, "escape", "../../escape", "acct", account_key="S0VZ")
