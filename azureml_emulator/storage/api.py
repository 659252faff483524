"""The Blob Storage endpoint (``<account>.blob.azureml-emulator.invalid``): the Put Blob,
Get Blob and Get Blob Properties calls the SDK's vendored storage client makes."""
from __future__ import annotations

import email.utils
import hashlib

from azureml_emulator.addresses import BLOB
from azureml_emulator.errors import NotEmulated
from azureml_emulator.rest.reply import Reply
from azureml_emulator.rest.request import Request
from azureml_emulator.rest.router import Route
from azureml_emulator.storage import backend

API_VERSION = "2019-02-02"


def _headers(etag: str, modified: float, **extra: str) -> dict[str, str]:
    return {"ETag": '"{}"'.format(etag), "Last-Modified": email.utils.formatdate(modified, usegmt=True),
            "Date": email.utils.formatdate(usegmt=True), "x-ms-version": API_VERSION,
            "x-ms-request-id": hashlib.md5(etag.encode()).hexdigest(), **extra}


def _not_found(request: Request) -> Reply:
    body = ("<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>BlobNotFound</Code><Message>The specified "
            "blob does not exist.</Message></Error>").encode()
    return Reply(404, body, {"x-ms-error-code": "BlobNotFound", "Content-Type": "application/xml"},
                 reason="The specified blob does not exist.")


def put_blob(request: Request) -> Reply:
    if "comp" in request.query:
        raise NotEmulated("Blob Storage {} (comp={}); uploads up to 64 MB per file are emulated".format(
            request.method, request.query["comp"]))
    home, account = request.store.home, request.account
    backend.write(home, account, request.params["container"], request.params["blob"], request.body)
    path = backend.find(home, account, request.params["container"], request.params["blob"])
    stat = path.stat()   # type: ignore[union-attr]
    return Reply(201, b"", _headers(str(stat.st_mtime_ns), stat.st_mtime, **{
        "x-ms-request-server-encrypted": "true", "Content-Type": "application/octet-stream"}))


def _existing(request: Request) -> tuple | None:
    path = backend.find(request.store.home, request.account, request.params["container"], request.params["blob"])
    if path is None:
        return None
    stat = path.stat()
    return path, _headers(str(stat.st_mtime_ns), stat.st_mtime, **{
        "Content-Length": str(stat.st_size), "x-ms-blob-type": "BlockBlob", "Content-Type": "application/octet-stream"})


def get_blob(request: Request) -> Reply:
    found = _existing(request)
    if found is None:
        return _not_found(request)
    path, headers = found
    return Reply(200, path.read_bytes(), headers)


def blob_properties(request: Request) -> Reply:
    found = _existing(request)
    return _not_found(request) if found is None else Reply(200, b"", found[1])


ROUTES = (
    Route("PUT", "/{container}/{blob:path}", put_blob, host=BLOB),
    Route("GET", "/{container}/{blob:path}", get_blob, host=BLOB),
    Route("HEAD", "/{container}/{blob:path}", blob_properties, host=BLOB),
)
