"""The emulated Blob Storage endpoint: the Put/Get Blob and Get Blob Properties calls the
SDK's storage client makes with the SAS URLs the services hand out."""
import pytest
import requests
from helpers import storage_error

from azureml_emulator.addresses import blob_base_url

URL = blob_base_url("workspaceartifactstore") + "/snapshots/folder/train.py?sv=2019-02-02&sig=x"
SAS = {"sv": "2019-02-02", "sig": "x"}   # a write needs a credential: a SAS, or a Shared Key


def test_a_put_blob_can_be_read_back_with_its_size(azureml_emulator):
    put = requests.put(URL, data=b"print('hi')\n", headers={"x-ms-blob-type": "BlockBlob"})
    assert put.status_code == 201 and put.headers["ETag"]
    head = requests.head(URL)
    assert head.status_code == 200 and head.headers["Content-Length"] == "12"
    assert requests.get(URL).content == b"print('hi')\n"


def test_a_missing_blob_is_azures_blob_not_found(azureml_emulator):
    answer = requests.get(blob_base_url("workspaceartifactstore") + "/snapshots/none.txt")
    assert answer.status_code == 404 and answer.headers["x-ms-error-code"] == "BlobNotFound"


def _new_files(home, before):
    return sorted(str(p.relative_to(home)) for p in home.rglob("*") if p.is_file() and p not in before)


def test_a_blob_name_cannot_leave_its_container(azureml_emulator):
    # Encoded dots and backslashes survive the HTTP client's normalisation and reach the endpoint.
    home = azureml_emulator.home
    before = set(home.rglob("*"))
    for name in ("a/%2E%2E/%2E%2E/%2E%2E/escape.txt", "%2E%2E/escape.txt", "a%5C..%5C..%5Cescape.txt", "a/%2E%2E"):
        answer = requests.put(blob_base_url("account") + "/container/" + name, data=b"x", params=SAS)
        assert answer.status_code == 400, name
        assert storage_error(answer) == ("InvalidUri", "The requested URI does not represent any resource on the "
                                                       "server."), name
        assert requests.get(blob_base_url("account") + "/container/" + name).status_code == 400
    nul = requests.put(blob_base_url("account") + "/container/a%00b", data=b"x", params=SAS)
    assert nul.status_code == 400 and storage_error(nul) == (
        "InvalidResourceName", "The specifed resource name contains invalid characters.")
    assert _new_files(home, before) == []


def test_dots_and_backslashes_inside_a_container_resolve_as_azure_resolves_them(azureml_emulator):
    from azure.core.exceptions import HttpResponseError
    from azureml._vendor.azure_storage.blob import BlobServiceClient
    home = azureml_emulator.home
    before = set(home.rglob("*"))
    service = BlobServiceClient(blob_base_url("acct1"), credential={"account_name": "acct1", "account_key": "S0VZ"})
    container = service.get_container_client("data")
    container.get_blob_client("a/../b.txt").upload_blob(b"b")        # the client removes the dots itself
    container.get_blob_client("a\\..\\c.txt").upload_blob(b"c")   # Azure: "\\" is "/", then the dots go
    container.get_blob_client("d\\e.txt").upload_blob(b"e")
    with pytest.raises(HttpResponseError) as escape:
        container.get_blob_client("a\\..\\..\\escape.txt").upload_blob(b"x")
    assert (escape.value.status_code, escape.value.error_code) == (400, "InvalidUri")
    assert [b.name for b in container.list_blobs()] == ["b.txt", "c.txt", "d/e.txt"]
    assert container.get_blob_client("x/../c.txt").download_blob().readall() == b"c"
    assert _new_files(home, before) == ["blobs/acct1/data/" + name for name in ("b.txt", "c.txt", "d/e.txt")]


def test_a_symbolic_link_in_a_container_leads_nowhere_outside_it(azureml_emulator, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("secret")
    requests.put(blob_base_url("acct1") + "/data/inside.txt", data=b"x", params=SAS)
    (azureml_emulator.home / "blobs" / "acct1" / "data" / "door").symlink_to(outside)
    for method in (requests.get, requests.head, requests.put):
        answer = method(blob_base_url("acct1") + "/data/door/secret.txt", params=SAS)
        assert answer.status_code == 400 and answer.headers["x-ms-error-code"] == "InvalidUri"
    assert requests.put(blob_base_url("acct1") + "/data/door/new.txt", data=b"x", params=SAS).status_code == 400
    assert sorted(p.name for p in outside.iterdir()) == ["secret.txt"]
    listing = requests.get(blob_base_url("acct1") + "/data?restype=container&comp=list")
    assert b"secret" not in listing.content and b"<Name>inside.txt</Name>" in listing.content


def test_an_append_blob_grows_with_each_append_block(azureml_emulator):
    assert requests.put(URL, data=b"", headers={"x-ms-blob-type": "AppendBlob"}).status_code == 201
    for line in (b"first\n", b"second\n"):
        assert requests.put(URL + "&comp=appendblock", data=line).status_code == 201
    assert requests.get(URL).content == b"first\nsecond\n"


def test_appending_to_a_missing_blob_is_blob_not_found(azureml_emulator):
    answer = requests.put(blob_base_url("acct") + "/ctr/none.log?comp=appendblock", data=b"x", params=SAS)
    assert answer.status_code == 404 and answer.headers["x-ms-error-code"] == "BlobNotFound"


def test_a_block_list_commits_the_listed_blocks_in_order(azureml_emulator):
    for block_id, data in (("YQ==", b"aaa"), ("Yg==", b"bbb")):
        assert requests.put(URL + "&comp=block&blockid=" + block_id, data=data).status_code == 201
    assert requests.get(URL).status_code == 404   # uncommitted blocks are not a blob yet
    body = b"<?xml version='1.0'?><BlockList><Latest>Yg==</Latest><Latest>YQ==</Latest></BlockList>"
    assert requests.put(URL + "&comp=blocklist", data=body).status_code == 201
    assert requests.get(URL).content == b"bbbaaa"


def test_a_block_list_naming_a_block_never_sent_is_refused(azureml_emulator):
    body = b"<BlockList><Latest>bm9uZQ==</Latest></BlockList>"
    answer = requests.put(URL + "&comp=blocklist", data=body)
    assert answer.status_code == 400
    assert storage_error(answer) == ("InvalidBlockList", "The specified block list is invalid: block bm9uZQ== was "
                                     "never uploaded")
    assert requests.get(URL).status_code == 404


def test_other_blob_operations_say_they_are_not_emulated(azureml_emulator):
    answer = requests.put(URL + "&comp=metadata", data=b"")
    assert answer.status_code == 501
    assert "not emulated by azureml_emulator: Blob Storage PUT (comp=metadata)" in answer.json()["error"]["message"]


def test_if_none_match_star_refuses_an_existing_blob(azureml_emulator):
    url = blob_base_url("acct") + "/ctr/once.txt"
    assert requests.put(url, data=b"1", headers={"If-None-Match": "*"}, params=SAS).status_code == 201
    again = requests.put(url, data=b"2", headers={"If-None-Match": "*"}, params=SAS)
    assert again.status_code == 409 and again.headers["x-ms-error-code"] == "BlobAlreadyExists"
    assert requests.get(url).content == b"1"


def test_a_ranged_get_answers_206_with_its_content_range(azureml_emulator):
    url = blob_base_url("acct") + "/ctr/digits.txt"
    requests.put(url, data=b"0123456789", params=SAS)
    part = requests.get(url, headers={"x-ms-range": "bytes=2-5"})
    assert part.status_code == 206 and part.content == b"2345" and part.headers["Content-Range"] == "bytes 2-5/10"
    tail = requests.get(url, headers={"x-ms-range": "bytes=8-100"})
    assert tail.content == b"89" and tail.headers["Content-Range"] == "bytes 8-9/10"
    requests.put(blob_base_url("acct") + "/ctr/empty.txt", data=b"", params=SAS)
    empty = requests.get(blob_base_url("acct") + "/ctr/empty.txt", headers={"x-ms-range": "bytes=0-99"})
    assert empty.status_code == 416 and empty.headers["x-ms-error-code"] == "InvalidRange"


def test_list_blobs_gives_the_names_under_a_prefix_and_not_uploads_in_progress(azureml_emulator):
    from xml.etree import ElementTree
    for name in ("logs/a.txt", "logs/deep/b.txt", "other.txt"):
        requests.put(blob_base_url("acct") + "/list/" + name, data=b"x", params=SAS)
    requests.put(blob_base_url("acct") + "/list/logs/big.bin?comp=block&blockid=QQ==", data=b"staged", params=SAS)
    listing = requests.get(blob_base_url("acct") + "/list?restype=container&comp=list&prefix=logs/")
    root = ElementTree.fromstring(listing.content)
    assert root.findtext("Prefix") == "logs/"
    assert [blob.findtext("Name") for blob in root.iter("Blob")] == ["logs/a.txt", "logs/deep/b.txt"]


def test_a_container_or_account_name_azure_refuses_cannot_reach_outside_the_home(azureml_emulator):
    escape = requests.get(blob_base_url("acct") + "/%2E%2E%2F%2E%2E%2F%2E%2E%2Fetc/hostname")
    assert escape.status_code == 400 and storage_error(escape)[0] == "InvalidResourceName"
    assert storage_error(escape)[1].startswith("Container name '../../../etc' is invalid")
    assert requests.put(blob_base_url("a") + "/ctr/x.txt", data=b"x", params=SAS).status_code == 400   # account too short


def test_a_reversed_range_is_an_invalid_range_not_a_crash(azureml_emulator):
    url = blob_base_url("acct") + "/ctr/digits.txt"
    requests.put(url, data=b"0123456789", params=SAS)
    assert requests.get(url, headers={"x-ms-range": "bytes=5-2"}).status_code == 416
    assert requests.get(url).content == b"0123456789"


def test_a_write_without_a_key_or_sas_is_refused_as_azure_refuses_it(azureml_emulator):
    """Azure lets an anonymous request read a public container, never write one (a datastore
    registered with no account key or SAS token gets this from the SDK's upload_files)."""
    url = blob_base_url("acct") + "/ctr/anonymous.txt"
    for query in ("", "?comp=block&blockid=YQ==", "?comp=blocklist", "?comp=appendblock"):
        answer = requests.put(url + query, data=b"x")
        assert answer.status_code == 401 and storage_error(answer) == (
            "NoAuthenticationInformation", "Server failed to authenticate the request. Please refer to the "
                                           "information in the www-authenticate header."), query
    assert requests.get(url, params=SAS).status_code == 404   # nothing was written
    assert requests.put(url, data=b"x", headers={"Authorization": "SharedKey acct:c2lnbmVk"}).status_code == 201
