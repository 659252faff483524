"""MNIST from the vendored real files, verified, never substituted."""
import gzip
import hashlib
import os
import shutil
from glob import glob

import pytest
from azureml.exceptions import UserErrorException
from azureml.opendatasets import MNIST

from azureml_emulator.data_access.opendatasets import MNISTDataError
from helpers import MNIST_DIR
from utils import load_data

LAYOUT = os.path.join("https%3A", "%2Fazureopendatastorage.azurefd.net", "mnist")
ALL_FILES = ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
             "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"]


def test_download_layout_and_paths(azureml_emulator, tmp_path):
    paths = MNIST.get_file_dataset().download(str(tmp_path), overwrite=True)
    assert paths == [str(tmp_path / LAYOUT / name) for name in ALL_FILES]
    for name in ALL_FILES:
        assert (tmp_path / LAYOUT / name).read_bytes() == (MNIST_DIR / name).read_bytes()
    found = glob(os.path.join(str(tmp_path), "**/t10k-images-idx3-ubyte.gz"), recursive=True)
    assert load_data(found[0]).shape == (10000, 784)


@pytest.mark.parametrize("dataset_filter, names", [("train", ALL_FILES[:2]), ("test", ALL_FILES[2:])])
def test_dataset_filter(azureml_emulator, tmp_path, dataset_filter, names):
    paths = MNIST.get_file_dataset(dataset_filter=dataset_filter).download(str(tmp_path), overwrite=True)
    assert [os.path.basename(p) for p in paths] == names


def test_overwrite_false_raises_the_sdk_error(azureml_emulator, tmp_path):
    dataset = MNIST.get_file_dataset()
    dataset.download(str(tmp_path), overwrite=False)   # an empty target is fine
    with pytest.raises(UserErrorException, match=r'already exists\. Set overwrite=True'):
        dataset.download(str(tmp_path), overwrite=False)


def test_test_set_is_the_official_one():
    with gzip.open(MNIST_DIR / "t10k-images-idx3-ubyte.gz") as f:
        assert hashlib.sha256(f.read()).hexdigest() == \
            "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7"
    counts = [int((load_data(MNIST_DIR / "t10k-labels-idx1-ubyte.gz", label=True) == d).sum()) for d in range(10)]
    assert counts == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


@pytest.fixture
def mnist_copy(tmp_path, monkeypatch):
    copy = tmp_path / "mnist-copy"
    shutil.copytree(MNIST_DIR, copy)
    monkeypatch.setenv("AZUREML_EMULATOR_MNIST_DIR", str(copy))
    return copy


def test_corrupt_file_is_a_clear_error_and_nothing_is_written(azureml_emulator, tmp_path, mnist_copy):
    with gzip.open(mnist_copy / "t10k-images-idx3-ubyte.gz") as f:
        payload = bytearray(f.read())
    payload[5000] ^= 0xFF   # one flipped pixel, still a well-formed gzip IDX file
    with gzip.open(mnist_copy / "t10k-images-idx3-ubyte.gz", "wb") as f:
        f.write(bytes(payload))
    target = tmp_path / "out"
    with pytest.raises(MNISTDataError, match="t10k-images-idx3-ubyte.gz is corrupt: SHA-256"):
        MNIST.get_file_dataset().download(str(target), overwrite=True)
    assert not target.exists() or not any(target.rglob("*.gz"))


def test_truncated_gzip_is_a_clear_error(azureml_emulator, tmp_path, mnist_copy):
    data = (mnist_copy / "t10k-labels-idx1-ubyte.gz").read_bytes()
    (mnist_copy / "t10k-labels-idx1-ubyte.gz").write_bytes(data[: len(data) // 2])
    with pytest.raises(MNISTDataError, match="t10k-labels-idx1-ubyte.gz is corrupt"):
        MNIST.get_file_dataset(dataset_filter="test").download(str(tmp_path / "out"), overwrite=True)


def test_missing_file_is_a_clear_error(azureml_emulator, tmp_path, mnist_copy):
    (mnist_copy / "train-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(MNISTDataError, match="train-labels-idx1-ubyte.gz is missing"):
        MNIST.get_file_dataset().download(str(tmp_path / "out"), overwrite=True)


def test_a_full_local_copy_is_used_when_named(azureml_emulator, tmp_path, mnist_copy):
    # A full copy has other training files; they are checked for structure, not against the sample's sums.
    images = load_data(MNIST_DIR / "train-images-idx3-ubyte.gz")[:500]
    header = (2051).to_bytes(4, "big") + (500).to_bytes(4, "big") + (28).to_bytes(4, "big") * 2
    with gzip.open(mnist_copy / "train-images-idx3-ubyte.gz", "wb") as f:
        f.write(header + images.tobytes())
    paths = MNIST.get_file_dataset(dataset_filter="train").download(str(tmp_path / "out"), overwrite=True)
    assert load_data(paths[0]).shape == (500, 784)
