"""File datastores through the SDK's own AzureFileDatastore and its vendored file-share client:
files and folders up and back with Azure's overwrite rule, files larger than one range, the
data kept under the emulator home, datasets read from a file share, and Azure Files' errors
(a missing parent directory, a range past the end of a file, a missing file)."""
import hashlib
import os

import pytest
import requests
from azure.core.exceptions import HttpResponseError, ResourceExistsError, ResourceNotFoundError
from azureml._vendor.azure_storage.fileshare import ShareDirectoryClient, ShareFileClient
from azureml.core import Dataset, Datastore
from helpers import storage_error

from azureml_emulator.addresses import file_base_url
from azureml_emulator.azure_storage import files_backend
from azureml_emulator.errors import BadRequest


@pytest.fixture
def files(tmp_path):
    tree = tmp_path / "data"
    (tree / "sub" / "deeper").mkdir(parents=True)
    (tree / "a.csv").write_text("x,y\n1,2\n")
    (tree / "sub" / "b.csv").write_text("x,y\n3,4\n")
    (tree / "sub" / "deeper" / "c.bin").write_bytes(os.urandom(9 * 1024 * 1024 + 7))   # three 4 MiB ranges
    (tree / "empty.txt").write_text("")
    return tree


@pytest.fixture
def share(ws):
    return Datastore.get(ws, "workspacefilestore")


def _digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_folder_goes_up_to_the_file_share_and_comes_back(share, files, tmp_path, azureml_emulator):
    reference = share.upload(src_dir=str(files), target_path="tree", show_progress=False)
    assert reference.path_on_datastore == "tree" and reference.datastore.name == "workspacefilestore"
    assert share.download(target_path=str(tmp_path / "dl"), prefix="tree", show_progress=False) == 4
    back = tmp_path / "dl" / "tree"
    assert (back / "a.csv").read_text() == "x,y\n1,2\n"
    assert (back / "sub" / "b.csv").read_text() == "x,y\n3,4\n"
    assert _digest(back / "sub" / "deeper" / "c.bin") == _digest(files / "sub" / "deeper" / "c.bin")
    assert (back / "empty.txt").read_bytes() == b""
    # The share's files are folders and files under the emulator home, not blobs.
    stored = azureml_emulator.home / "files" / share.account_name / share.container_name / "tree"
    assert (stored / "sub" / "b.csv").read_text() == "x,y\n3,4\n"
    assert not (azureml_emulator.home / "blobs" / share.account_name / share.container_name).exists()


def test_upload_files_keeps_an_existing_file_unless_overwrite(share, files, tmp_path, capsys):
    share.upload_files([str(files / "a.csv")], target_path="once/inner", show_progress=False)
    (files / "a.csv").write_text("now longer than before\n")
    share.upload_files([str(files / "a.csv")], target_path="once/inner", overwrite=False)
    assert "Target already exists. Skipping upload for once/inner/a.csv" in capsys.readouterr().out
    share.download(target_path=str(tmp_path / "first"), prefix="once", show_progress=False)
    assert (tmp_path / "first" / "once" / "inner" / "a.csv").read_text() == "x,y\n1,2\n"
    share.upload_files([str(files / "a.csv")], target_path="once/inner", overwrite=True, show_progress=False)
    (files / "a.csv").write_text("short\n")   # a shorter file replaces a longer one whole
    share.upload_files([str(files / "a.csv")], target_path="once/inner", overwrite=True, show_progress=False)
    share.download(target_path=str(tmp_path / "second"), prefix="once", overwrite=True, show_progress=False)
    assert (tmp_path / "second" / "once" / "inner" / "a.csv").read_text() == "short\n"


def test_a_download_lists_only_the_prefix_asked_for(share, files, tmp_path):
    share.upload_files([str(files / "a.csv")], target_path="left", show_progress=False)
    share.upload_files([str(files / "sub" / "b.csv")], target_path="right", show_progress=False)
    assert share.download(target_path=str(tmp_path / "dl"), prefix="left", show_progress=False) == 1
    assert sorted(p.relative_to(tmp_path / "dl").as_posix() for p in (tmp_path / "dl").rglob("*.csv")) == [
        "left/a.csv"]
    assert share.download(target_path=str(tmp_path / "none"), prefix="nothing", show_progress=False) == 0


def test_datasets_read_a_file_share(share, files, tmp_path):
    share.upload(src_dir=str(files), target_path="ds", show_progress=False)
    table = Dataset.Tabular.from_delimited_files(path=[(share, "ds/a.csv"), (share, "ds/sub/b.csv")])
    assert table.to_pandas_dataframe().to_dict("list") == {"x": [1, 3], "y": [2, 4]}
    folder = Dataset.File.from_files(path=(share, "ds/sub/**"))
    got = sorted(os.path.relpath(p, tmp_path / "fd") for p in folder.download(str(tmp_path / "fd")))
    assert got == ["b.csv", os.path.join("deeper", "c.bin")]


def test_file_dataset_upload_directory_to_a_file_share(share, files, tmp_path, ws):
    dataset = Dataset.File.upload_directory(str(files / "sub"), (share, "updir"), show_progress=False)
    assert sorted(os.path.basename(p) for p in dataset.to_path()) == ["b.csv", "c.bin"]
    share.download(target_path=str(tmp_path / "dl"), prefix="updir", show_progress=False)
    assert (tmp_path / "dl" / "updir" / "b.csv").read_text() == "x,y\n3,4\n"


def _client(kind, share, path, **named):
    return kind(account_url=file_base_url(share.account_name), share_name=share.container_name,
                credential={"account_name": share.account_name, "account_key": share.account_key},
                **{named.get("argument", "file_path"): path})


def test_azure_files_errors_as_azure_gives_them(share):
    # A file in a directory that does not exist: Azure Files does not create parents.
    with pytest.raises(ResourceNotFoundError) as missing_parent:
        _client(ShareFileClient, share, "no/such/dir/f.txt").upload_file(b"abc")
    assert missing_parent.value.error_code == "ParentNotFound"
    directory = _client(ShareDirectoryClient, share, "made", argument="directory_path")
    assert not directory.exists()
    directory.create_directory()
    assert directory.exists()
    with pytest.raises(ResourceExistsError) as twice:
        directory.create_directory()
    assert twice.value.error_code == "ResourceAlreadyExists"
    small = _client(ShareFileClient, share, "made/small.txt")
    small.create_file(4)
    with pytest.raises(HttpResponseError) as past_end:
        small.upload_range(b"abcdef", offset=0, length=6)
    assert past_end.value.status_code == 416 and past_end.value.error_code == "InvalidRange"
    small.upload_range(b"abcd", offset=0, length=4)
    assert small.download_file().readall() == b"abcd"
    assert small.download_file(offset=1, length=2).readall() == b"bc"
    assert small.get_file_properties().size == 4
    with pytest.raises(ResourceNotFoundError) as absent:
        _client(ShareFileClient, share, "made/absent.txt").get_file_properties()
    assert absent.value.status_code == 404


def test_an_encoded_path_outside_the_share_is_refused(share, azureml_emulator):
    # Encoded dots and backslashes survive the HTTP client's normalisation and reach the endpoint.
    before = set(azureml_emulator.home.rglob("*"))
    for path in ("a/%2E%2E/%2E%2E/%2E%2E/escape.txt", "%2E%2E/escape.txt", "a%5C..%5C..%5Cescape.txt"):
        answer = requests.put(file_base_url(share.account_name) + "/" + share.container_name + "/" + path,
                              headers={"x-ms-type": "file", "x-ms-content-length": "3"})
        assert answer.status_code == 400 and storage_error(answer) == (
            "InvalidUri", "The requested URI does not represent any resource on the server."), path
    assert set(azureml_emulator.home.rglob("*")) == before


def test_upload_files_with_dots_in_the_target_path_stays_in_the_share(share, files, azureml_emulator):
    root = azureml_emulator.home / "files" / share.account_name / share.container_name
    share.upload_files([str(files / "a.csv")], target_path="in/../kept", show_progress=False)
    assert (root / "kept" / "a.csv").read_text() == "x,y\n1,2\n"
    with pytest.raises(HttpResponseError) as escape:
        share.upload_files([str(files / "a.csv")], target_path="in/../../escape", show_progress=False)
    assert (escape.value.status_code, escape.value.error_code) == (400, "InvalidUri")
    assert not [p for p in azureml_emulator.home.parent.rglob("*") if "escape" in p.name]


def test_a_symbolic_link_in_a_share_leads_nowhere_outside_it(share, azureml_emulator, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("secret")
    root = azureml_emulator.home / "files" / share.account_name / share.container_name
    _client(ShareDirectoryClient, share, "made", argument="directory_path").create_directory()
    (root / "made" / "door").symlink_to(outside)
    with pytest.raises(HttpResponseError) as read:
        _client(ShareFileClient, share, "made/door/secret.txt").download_file().readall()
    assert (read.value.status_code, read.value.error_code) == (400, "InvalidUri")
    with pytest.raises(HttpResponseError):
        _client(ShareFileClient, share, "made/door/new.txt").upload_file(b"abc")
    assert [p.name for p in outside.iterdir()] == ["secret.txt"]


def test_other_file_share_operations_say_they_are_not_emulated(share):
    url = file_base_url(share.account_name) + "/" + share.container_name + "/a.txt"
    deleted = requests.delete(url)
    assert deleted.status_code == 501
    assert deleted.json()["error"]["message"] == "not emulated by azureml_emulator: DELETE /{}/a.txt".format(
        share.container_name)
    metadata = requests.put(url + "?comp=metadata")
    assert metadata.status_code == 501
    assert "not emulated by azureml_emulator: Azure Files PUT (restype=None, comp=metadata)" in metadata.text


def test_no_path_reaches_outside_its_share(tmp_path):
    # The HTTP client normalises ".." away before sending; the backend's own contract is the
    # last line: nothing outside <home>/files/<account>/<share> is ever named.
    for outside in ("../escape.txt", "a/../../escape.txt", "/../../x", "a\\..\\..\\x"):
        with pytest.raises(BadRequest, match="The requested URI does not represent any resource") as refused:
            files_backend.resolve(tmp_path, "account1", "share1", outside)
        assert refused.value.code == "InvalidUri"
    assert files_backend.resolve(tmp_path, "account1", "share1", "a/../b") == (
        tmp_path / "files" / "account1" / "share1" / "b").resolve()
    with pytest.raises(BadRequest, match="Container name 'Bad_Share' is invalid"):
        files_backend.resolve(tmp_path, "account1", "Bad_Share", "x")


def test_a_registered_file_share_keeps_its_files_under_the_emulator_home(ws, azureml_emulator, files, tmp_path):
    mine = Datastore.register_azure_file_share(ws, "MyShare", "share1", "acct1", account_key="S0VZ")
    assert (mine.name, mine.container_name, mine.account_name) == ("myshare", "share1", "acct1")
    mine.upload_files([str(files / "a.csv")], target_path="in", show_progress=False)
    assert (azureml_emulator.home / "files" / "acct1" / "share1" / "in" / "a.csv").read_text() == "x,y\n1,2\n"
    again = Datastore.get(ws, "myshare")
    assert again.download(target_path=str(tmp_path / "dl"), prefix="in", show_progress=False) == 1
    assert (tmp_path / "dl" / "in" / "a.csv").read_text() == "x,y\n1,2\n"
