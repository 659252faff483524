"""The public URLs of the open dataset files the emulator holds, answered from the local copy.

Samples download MNIST straight from Azure Open Datasets' public storage, for example
``urllib.request.urlretrieve('https://azureopendatastorage.blob.core.windows.net/mnist/
train-images-idx3-ubyte.gz', filename=...)``, or through its front door
(``azureopendatastorage.azurefd.net``, where `MNIST.get_file_dataset` reads). While the emulator
is active, the transport (`runtime.transport`) answers GET and HEAD of MNIST's four files on
either host, over ``requests`` and ``urllib`` alike, with the verified local copy
(`opendatasets.source_dir`: the vendored sample, or $AZUREML_EMULATOR_MNIST_DIR). Every other
request to those hosts is refused, saying which files are held.
"""
from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

from azureml_emulator.data_access import opendatasets
from azureml_emulator.rest.reply import Reply

HOSTS = ("azureopendatastorage.blob.core.windows.net", "azureopendatastorage.azurefd.net")
CONTAINER = "mnist"
NAMES = tuple(name for half in ("train", "test") for name in opendatasets.FILES[half])


def is_open_data_host(host: str | None) -> bool:
    """A host of Azure Open Datasets' public storage account."""
    return (host or "").lower().rstrip(".") in HOSTS


def held_file(url: str) -> Path | None:
    """The verified local copy of the file at ``url``; None when the emulator holds no such file.
    A held file that is missing or corrupt here raises `opendatasets.MNISTDataError`."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not is_open_data_host(parts.hostname):
        return None
    container, _, name = unquote(parts.path).lstrip("/").partition("/")
    if container != CONTAINER or name not in NAMES:
        return None
    source = opendatasets.source_dir() / name
    opendatasets.verify(source)
    return source


def answer(method: str, url: str) -> Reply | None:
    """The reply to a GET or HEAD of a held file, as Blob Storage gives it (status 200,
    Content-Length, the bytes); None for any other request."""
    if method.upper() not in ("GET", "HEAD"):
        return None
    source = held_file(url)
    if source is None:
        return None
    body = source.read_bytes()
    headers = {"Content-Type": "application/octet-stream", "Content-Length": str(len(body))}
    return Reply(200, body if method.upper() == "GET" else b"", headers)


def refusal(method: str, url: str) -> str | None:
    """Why a request to Azure Open Datasets' storage is not answered; None for other hosts."""
    if not is_open_data_host(urlsplit(url).hostname):
        return None
    return ("azureml_emulator is active, so this request was not sent: {} {}. Of Azure Open Datasets' public files "
            "the emulator holds only MNIST's four ({}), which it answers to GET and HEAD; anything else there is not "
            "available offline.".format(method, url, ", ".join("{}/{}".format(CONTAINER, name) for name in NAMES)))
