"""MNIST's public URLs on Azure Open Datasets' storage are answered from the verified local
copy, over `requests` and `urllib` alike (urlretrieve too); anything else there is refused.
As in tests/runtime/test_transport.py, the transport wraps a recording stand-in for the real
send and urlopen, so nothing here can leave the machine even if the transport were broken."""
import gzip
import shutil
import urllib.error
import urllib.request

import pytest
import requests

from azureml_emulator.data_access.opendatasets import MNISTDataError
from azureml_emulator.runtime.transport import BlockedRequestError, make_send, make_urlopen
from helpers import MNIST_DIR

NAMES = ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
         "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"]
BLOB = "https://azureopendatastorage.blob.core.windows.net/mnist/"
FRONT_DOOR = "https://azureopendatastorage.azurefd.net/mnist/"


@pytest.fixture
def sent():
    return []


@pytest.fixture
def transport(azureml_emulator, monkeypatch, sent):
    """The emulator's send and urlopen, over stand-ins that record what would have gone out."""
    from requests.adapters import HTTPAdapter
    monkeypatch.setattr(HTTPAdapter, "send", make_send(lambda adapter, request, **kwargs: sent.append(request.url)))
    monkeypatch.setattr(urllib.request, "urlopen",
                        make_urlopen(lambda url, *args, **kwargs: sent.append(getattr(url, "full_url", url))))


@pytest.mark.parametrize("base", [BLOB, FRONT_DOOR])
@pytest.mark.parametrize("name", NAMES)
def test_urlretrieve_writes_the_vendored_file(transport, sent, tmp_path, base, name):
    target = tmp_path / name
    path, headers = urllib.request.urlretrieve(base + name, filename=str(target))
    assert path == str(target) and target.read_bytes() == (MNIST_DIR / name).read_bytes()
    assert int(headers["Content-Length"]) == (MNIST_DIR / name).stat().st_size
    assert sent == []


@pytest.mark.parametrize("base", [BLOB, FRONT_DOOR])
def test_requests_gets_the_vendored_file_as_a_complete_response(transport, sent, base):
    name = "t10k-labels-idx1-ubyte.gz"
    expected = (MNIST_DIR / name).read_bytes()
    response = requests.get(base + name, timeout=5)
    assert (response.status_code, response.url, response.content) == (200, base + name, expected)
    assert response.headers["Content-Length"] == str(len(expected))
    streamed = requests.get(base + name, stream=True, timeout=5)
    assert b"".join(streamed.iter_content(4096)) == expected
    assert gzip.decompress(expected)[:4] == (2049).to_bytes(4, "big")   # an IDX labels file
    assert sent == []


def test_urlopen_and_head_answer_like_blob_storage(transport, sent):
    name = "train-labels-idx1-ubyte.gz"
    size = (MNIST_DIR / name).stat().st_size
    with urllib.request.urlopen(BLOB + name) as answer:
        assert (answer.status, answer.url, answer.headers["Content-Length"]) == (200, BLOB + name, str(size))
        assert answer.read() == (MNIST_DIR / name).read_bytes()
    head = requests.head(FRONT_DOOR + name, timeout=5)
    assert (head.status_code, head.headers["Content-Length"], head.content) == (200, str(size), b"")
    with urllib.request.urlopen(urllib.request.Request(BLOB + name, method="HEAD")) as answer:
        assert answer.read() == b"" and answer.headers["Content-Length"] == str(size)
    assert sent == []


@pytest.mark.parametrize("url", [
    BLOB + "processed/train/part-0.csv",
    FRONT_DOOR + "t10k-images-idx3-ubyte",
    "https://azureopendatastorage.blob.core.windows.net/mlsamples/diabetes/part-0.parquet",
    "https://azureopendatastorage.azurefd.net/nyctlc/green/puYear=2016/part-0.parquet",
])
def test_other_files_of_the_open_datasets_account_are_refused(transport, sent, url):
    expected = ("azureml_emulator is active, so this request was not sent: GET {}. Of Azure Open Datasets' public "
                "files the emulator holds only MNIST's four (mnist/train-images-idx3-ubyte.gz, "
                "mnist/train-labels-idx1-ubyte.gz, mnist/t10k-images-idx3-ubyte.gz, mnist/t10k-labels-idx1-ubyte.gz), "
                "which it answers to GET and HEAD; anything else there is not available offline.".format(url))
    with pytest.raises(BlockedRequestError) as refused:
        requests.get(url, timeout=5)
    assert str(refused.value) == expected
    with pytest.raises(urllib.error.URLError) as also_refused:
        urllib.request.urlretrieve(url)
    assert also_refused.value.reason == expected
    assert sent == []


def test_only_reads_are_answered(transport, sent):
    with pytest.raises(BlockedRequestError, match="PUT " + BLOB + "t10k-images-idx3-ubyte.gz"):
        requests.put(BLOB + "t10k-images-idx3-ubyte.gz", data=b"new content", timeout=5)
    with pytest.raises(urllib.error.URLError, match="POST " + FRONT_DOOR + "t10k-images-idx3-ubyte.gz"):
        urllib.request.urlopen(FRONT_DOOR + "t10k-images-idx3-ubyte.gz", data=b"x")
    assert sent == []


def test_a_corrupt_local_copy_is_an_error_naming_the_file(transport, sent, tmp_path, monkeypatch):
    copy = tmp_path / "mnist-copy"
    shutil.copytree(MNIST_DIR, copy)
    (copy / "t10k-labels-idx1-ubyte.gz").write_bytes(gzip.compress(b"not an IDX file"))
    monkeypatch.setenv("AZUREML_EMULATOR_MNIST_DIR", str(copy))
    with pytest.raises(MNISTDataError, match="t10k-labels-idx1-ubyte.gz is corrupt"):
        requests.get(BLOB + "t10k-labels-idx1-ubyte.gz", timeout=5)
    with pytest.raises(MNISTDataError, match="t10k-labels-idx1-ubyte.gz is corrupt"):
        urllib.request.urlretrieve(BLOB + "t10k-labels-idx1-ubyte.gz", filename=str(tmp_path / "out.gz"))
    assert not (tmp_path / "out.gz").exists() and sent == []


def test_the_copy_named_by_the_environment_is_served(transport, tmp_path, monkeypatch):
    copy = tmp_path / "mnist-copy"
    shutil.copytree(MNIST_DIR, copy)
    # Another valid gzip of the same labels: different bytes, same content.
    labels = gzip.decompress((MNIST_DIR / "t10k-labels-idx1-ubyte.gz").read_bytes())
    (copy / "t10k-labels-idx1-ubyte.gz").write_bytes(gzip.compress(labels, compresslevel=1, mtime=0))
    monkeypatch.setenv("AZUREML_EMULATOR_MNIST_DIR", str(copy))
    served = requests.get(FRONT_DOOR + "t10k-labels-idx1-ubyte.gz", timeout=5).content
    vendored = (MNIST_DIR / "t10k-labels-idx1-ubyte.gz").read_bytes()
    assert served == (copy / "t10k-labels-idx1-ubyte.gz").read_bytes() != vendored


def test_the_active_emulator_answers_urlretrieve(azureml_emulator, tmp_path):
    """The seams themselves, as a notebook meets them: urlretrieve goes through the emulator's urlopen."""
    from azureml_emulator.runtime import transport
    assert urllib.request.urlopen.__module__ == transport.__name__ and urllib.request.urlopen.__qualname__.startswith(
        "make_urlopen")
    name = "t10k-images-idx3-ubyte.gz"
    urllib.request.urlretrieve(BLOB + name, filename=str(tmp_path / name))
    assert (tmp_path / name).read_bytes() == (MNIST_DIR / name).read_bytes()
