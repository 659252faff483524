"""Helpers for the MNIST tutorial: read the gzip IDX files, one-hot encode labels,
and send images to a deployed service in the compact binary format."""
import gzip
import struct

import numpy as np

IDX_MAGIC = {2051: "images", 2049: "labels"}


def load_data(filename, label=False):
    """Read a gzip IDX file: images as (n, 784) uint8, or labels as (n, 1) uint8.

    Raises ValueError naming the file when it is truncated, corrupt or of the other kind.
    """
    try:
        with gzip.open(filename, "rb") as gz:
            content = gz.read()
    except (OSError, EOFError) as error:
        raise ValueError("{}: not a readable gzip file ({})".format(filename, error)) from None
    header_size = 8 if label else 16
    if len(content) < header_size:
        raise ValueError("{}: too short for an IDX header ({} bytes)".format(filename, len(content)))
    magic, count = struct.unpack(">II", content[:8])
    wanted = "labels" if label else "images"
    if magic not in IDX_MAGIC:
        raise ValueError("{}: not an IDX file (magic number {}, expected 2051 for images or 2049 for labels)"
                         .format(filename, magic))
    if IDX_MAGIC[magic] != wanted:
        raise ValueError("{}: holds {} but load_data was asked for {} (label={})".format(
            filename, IDX_MAGIC[magic], wanted, label))
    if label:
        item_size, shape = 1, (count, 1)
    else:
        rows, cols = struct.unpack(">II", content[8:16])
        item_size, shape = rows * cols, (count, rows * cols)
    expected = header_size + count * item_size
    if len(content) != expected:
        raise ValueError("{}: payload is {} bytes, expected {} for {} {} (file truncated or padded)".format(
            filename, len(content), expected, count, wanted))
    return np.frombuffer(content, dtype=np.uint8, offset=header_size).reshape(shape)


def one_hot_encode(array, num_of_classes):
    """One-hot encode integer labels: (n,) or (n, 1) -> (n, num_of_classes)."""
    return np.eye(num_of_classes)[array.reshape(-1)]


def to_binary_body(images):
    """Images as the service's binary format: raw uint8 bytes, 784 per image.

    Accepts pixels scaled to 0..1 (floats) or raw 0..255 values.
    """
    images = np.asarray(images)
    if images.dtype != np.uint8:
        images = np.rint(images * 255 if images.max(initial=0) <= 1 else images).clip(0, 255).astype(np.uint8)
    return np.ascontiguousarray(images.reshape(-1, 784)).tobytes()


def score_binary(scoring_uri, images, headers=None, timeout=120):
    """POST images to the service as application/octet-stream; returns the predicted labels."""
    import requests
    all_headers = {"Content-Type": "application/octet-stream"}
    all_headers.update(headers or {})
    response = requests.post(scoring_uri, data=to_binary_body(images), headers=all_headers, timeout=timeout)
    response.raise_for_status()
    return response.json()
