"""The emulated Blob Storage endpoint: the Put/Get Blob and Get Blob Properties calls the
SDK's storage client makes with the SAS URLs the services hand out."""
import pytest
import requests

from azureml_emulator.addresses import blob_base_url

URL = blob_base_url("workspaceartifactstore") + "/snapshots/folder/train.py?sv=2019-02-02&sig=x"


def test_a_put_blob_can_be_read_back_with_its_size(azureml_emulator):
    put = requests.put(URL, data=b"print('hi')\n", headers={"x-ms-blob-type": "BlockBlob"})
    assert put.status_code == 201 and put.headers["ETag"]
    head = requests.head(URL)
    assert head.status_code == 200 and head.headers["Content-Length"] == "12"
    assert requests.get(URL).content == b"print('hi')\n"


def test_a_missing_blob_is_azures_blob_not_found(azureml_emulator):
    answer = requests.get(blob_base_url("workspaceartifactstore") + "/snapshots/none.txt")
    assert answer.status_code == 404 and answer.headers["x-ms-error-code"] == "BlobNotFound"


def test_a_blob_name_cannot_leave_its_container(azureml_emulator):
    answer = requests.put(blob_base_url("account") + "/container/a/%2E%2E/%2E%2E/%2E%2E/escape.txt", data=b"x")
    assert answer.status_code == 400 and "expected a relative path inside it" in answer.json()["error"]["message"]
    assert not list(azureml_emulator.home.rglob("escape.txt"))


@pytest.mark.parametrize("comp", ["block", "blocklist"])
def test_block_uploads_say_they_are_not_emulated(azureml_emulator, comp):
    answer = requests.put(URL + "&comp=" + comp, data=b"x")
    assert answer.status_code == 501
    assert "not emulated by azureml_emulator: Blob Storage PUT (comp={})".format(comp) in answer.json()["error"]["message"]
