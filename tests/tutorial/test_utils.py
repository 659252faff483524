"""utils.py: the tutorial's loaders, strict about bad files."""
import gzip

import numpy as np
import pytest

from helpers import MNIST_DIR
from utils import load_data, one_hot_encode, to_binary_body


def test_shapes_and_dtypes():
    images = load_data(MNIST_DIR / "t10k-images-idx3-ubyte.gz")
    labels = load_data(MNIST_DIR / "t10k-labels-idx1-ubyte.gz", label=True)
    assert images.shape == (10000, 784) and images.dtype == np.uint8
    assert labels.shape == (10000, 1) and labels.dtype == np.uint8
    assert images.max() == 255 and set(np.unique(labels)) == set(range(10))


def write_gz(path, payload):
    with gzip.open(path, "wb") as f:
        f.write(payload)
    return path


def test_truncated_payload_names_the_file(tmp_path):
    with gzip.open(MNIST_DIR / "t10k-labels-idx1-ubyte.gz") as f:
        payload = f.read()
    bad = write_gz(tmp_path / "short.gz", payload[:-10])
    with pytest.raises(ValueError, match=r"short\.gz: payload is 9998 bytes, expected 10008"):
        load_data(bad, label=True)


def test_wrong_kind_is_explained(tmp_path):
    with pytest.raises(ValueError, match="holds labels but load_data was asked for images"):
        load_data(MNIST_DIR / "t10k-labels-idx1-ubyte.gz")


def test_not_idx_and_not_gzip(tmp_path):
    with pytest.raises(ValueError, match="not an IDX file"):
        load_data(write_gz(tmp_path / "x.gz", b"\x00" * 64))
    (tmp_path / "plain.gz").write_bytes(b"not gzip at all")
    with pytest.raises(ValueError, match="plain.gz: not a readable gzip file"):
        load_data(tmp_path / "plain.gz")


def test_one_hot_encode():
    encoded = one_hot_encode(np.array([[3], [0]]), 10)
    assert encoded.shape == (2, 10)
    assert encoded[0, 3] == 1 and encoded[1, 0] == 1 and encoded.sum() == 2


def test_binary_body_round_trips_scaled_pixels():
    images = load_data(MNIST_DIR / "t10k-images-idx3-ubyte.gz")[:5]
    assert to_binary_body(images / 255.0) == images.tobytes()
    assert to_binary_body(images) == images.tobytes()
