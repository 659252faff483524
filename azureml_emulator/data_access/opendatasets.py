"""The MNIST open dataset served from real MNIST files on this machine.

`MNIST.get_file_dataset()` is the SDK's own FileDataset (its definition names Azure's
public container); reading its files (download, to_path, a job's mount) copies them
from a local source instead of the network: the sample vendored in this package (the
full official test set and the first 10,000 training images, see
data_access/mnist/PROVENANCE.md) or a full MNIST copy named by $AZUREML_EMULATOR_MNIST_DIR.
Every file is verified before it is copied; there is no fallback to other data.
"""
from __future__ import annotations

import fnmatch
import gzip
import hashlib
import os
import re
import shutil
import struct
import tempfile
from pathlib import Path
from types import MethodType
from typing import Any, Callable

from azureml_emulator.data_access import sources

MNIST_DIR_ENV_VAR = "AZUREML_EMULATOR_MNIST_DIR"
VENDORED_DIR = Path(__file__).parent / "mnist"
# Where the real download puts the files, relative to the target folder.
DOWNLOAD_SUBDIR = ("https%3A", "%2Fazureopendatastorage.azurefd.net", "mnist")

FILES = {
    "train": ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
    "test": ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"),
}
# SHA-256 of the decompressed payloads (PROVENANCE.md). The test set is the
# official one in both sources; the training sums belong to the 10,000-image sample.
OFFICIAL_TEST_SHA256 = {
    "t10k-images-idx3-ubyte.gz": "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    "t10k-labels-idx1-ubyte.gz": "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
}
SAMPLE_TRAIN_SHA256 = {
    "train-images-idx3-ubyte.gz": "2889698e6bc3614913e76901316712919d1998fc2b44512451bfe65bc1e668b1",
    "train-labels-idx1-ubyte.gz": "651e38e2ac0632f5113ec18f1df4977117f953197819034009971a6675a0df78",
}
IDX_MAGIC = {"images": 2051, "labels": 2049}


class MNISTDataError(Exception):
    """A source MNIST file is missing or is not the file it should be."""


def source_dir() -> Path:
    return Path(os.environ.get(MNIST_DIR_ENV_VAR) or VENDORED_DIR)


def _check_idx_structure(name: str, payload: bytes) -> None:
    kind = "images" if "images" in name else "labels"
    if len(payload) < 8 or struct.unpack(">I", payload[:4])[0] != IDX_MAGIC[kind]:
        raise MNISTDataError("{} is not an IDX {} file (wrong magic number)".format(name, kind))
    count = struct.unpack(">I", payload[4:8])[0]
    expected = 16 + count * 784 if kind == "images" else 8 + count
    if len(payload) != expected:
        raise MNISTDataError("{} is incomplete: {} bytes of payload, expected {} for {} items".format(
            name, len(payload), expected, count))


def verify(path: Path) -> None:
    """Raise MNISTDataError unless ``path`` is a complete, known MNIST file."""
    name = path.name
    if not path.is_file():
        raise MNISTDataError("MNIST file {} is missing from {}".format(name, path.parent))
    try:
        with gzip.open(path, "rb") as compressed:
            payload = compressed.read()
    except (OSError, EOFError) as error:
        raise MNISTDataError("MNIST file {} is corrupt: {}".format(path, error)) from None
    digest = hashlib.sha256(payload).hexdigest()
    known = dict(OFFICIAL_TEST_SHA256)
    if path.parent.resolve() == VENDORED_DIR.resolve():
        known.update(SAMPLE_TRAIN_SHA256)
    if name in known and digest != known[name]:
        raise MNISTDataError("MNIST file {} is corrupt: SHA-256 of its content is {}, expected {}".format(
            path, digest, known[name]))
    _check_idx_structure(name, payload)


def _copy_atomically(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".download-")
    os.close(fd)
    try:
        shutil.copyfile(source, tmp)
        os.replace(tmp, target)
    except BaseException:
        os.unlink(tmp)
        raise


# How the MNIST open dataset names its files (azureml/opendatasets/_mnist_blob_accessor.py):
# one glob over the public container, kept in the dataset's MLTable definition.
MNIST_PATTERN = re.compile(r'pattern: "wasbs://mnist@azureopendatastorage\.blob\.core\.windows\.net/([^"]*)"')


def mnist_files(definition: str) -> list[str] | None:
    """The MNIST files a dataset definition (MLTable YAML) selects; None if it is not MNIST's."""
    match = MNIST_PATTERN.search(definition)
    if match is None:
        return None
    return [name for half in ("train", "test") for name in FILES[half] if fnmatch.fnmatch(name, match.group(1))]


def copy_files(file_names: list[str], target_path: str | Path | None, overwrite: bool) -> list[str]:
    """Verified copies of MNIST files in the layout the real download gives; their paths."""
    target_root = Path(target_path or tempfile.mkdtemp()).resolve()
    targets = [target_root.joinpath(*DOWNLOAD_SUBDIR, name) for name in file_names]
    if not overwrite:
        for target in targets:
            if target.exists():
                from azureml.exceptions import UserErrorException   # the SDK's; imported only to raise it
                raise UserErrorException('File "{}" already exists. Set overwrite=True to overwrite it, '
                                         '                            or choose an empty target path.'
                                         .format(target))
    sources = [source_dir() / name for name in file_names]
    for source in sources:
        verify(source)
    for source, target in zip(sources, targets):
        _copy_atomically(source, target)
    return [str(target) for target in targets]


def make_get_file_dataset(original: MethodType) -> Callable[..., Any]:
    def get_file_dataset(cls: type, dataset_filter: str = "all", enable_telemetry: bool = True) -> Any:
        """MNIST.get_file_dataset: the SDK's own FileDataset, without its telemetry upload
        (which would try to reach Application Insights)."""
        return original.__func__(cls, dataset_filter=dataset_filter, enable_telemetry=False)
    return get_file_dataset


def _mnist_files_of(dataset: Any) -> list[str] | None:
    """The MNIST files a FileDataset reads; None for another dataset, once it is known to
    read nothing on the network (else UserErrorException)."""
    definition = sources.definition_of(dataset)
    names = mnist_files(definition)
    if names is None:
        sources.refuse_remote(definition)
    return names


def make_download(original: Callable[..., Any]) -> Callable[..., Any]:
    def download(self: Any, target_path: str | None = None, overwrite: bool = False,
                 ignore_not_found: bool = False) -> list[str]:
        """FileDataset.download: the MNIST open dataset's files come from the verified local copy."""
        names = _mnist_files_of(self)
        if names is None:
            return original(self, target_path=target_path, overwrite=overwrite, ignore_not_found=ignore_not_found)
        return copy_files(names, target_path, overwrite)
    return download


def make_to_path(original: Callable[..., Any]) -> Callable[..., Any]:
    def to_path(self: Any) -> list[str]:
        names = _mnist_files_of(self)
        if names is None:
            return original(self)
        return ["/" + "/".join(DOWNLOAD_SUBDIR + (name,)) for name in names]
    return to_path
