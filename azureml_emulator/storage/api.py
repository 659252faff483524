"""The Blob Storage endpoint (``<account>.blob.azureml-emulator.invalid``): the calls the
SDK's vendored storage client makes: Put Blob (block and append blobs; ``If-None-Match: *``
refuses an existing blob), Append Block, Put Block and Put Block List (files over 64 MB),
Get Blob (whole, or the range ``x-ms-range`` asks for), Get Blob Properties and List Blobs."""
from __future__ import annotations

import email.utils
import hashlib
import time
from xml.etree import ElementTree

from azureml_emulator.addresses import BLOB, blob_base_url
from azureml_emulator.errors import BadRequest, NotEmulated
from azureml_emulator.rest.reply import Reply
from azureml_emulator.rest.request import Request
from azureml_emulator.rest.router import Route
from azureml_emulator.storage import backend

API_VERSION = "2019-02-02"


def _headers(etag: str, modified: float, **extra: str) -> dict[str, str]:
    return {"ETag": '"{}"'.format(etag), "Last-Modified": email.utils.formatdate(modified, usegmt=True),
            "Date": email.utils.formatdate(usegmt=True), "x-ms-version": API_VERSION,
            "x-ms-request-id": hashlib.md5(etag.encode()).hexdigest(), **extra}


def _storage_error(status: int, code: str, message: str) -> Reply:
    body = ("<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>{}</Code><Message>{}</Message></Error>"
            .format(code, message)).encode()
    return Reply(status, body, {"x-ms-error-code": code, "Content-Type": "application/xml"}, reason=message)


def _not_found(request: Request) -> Reply:
    return _storage_error(404, "BlobNotFound", "The specified blob does not exist.")


def _block_ids(body: bytes) -> list[str]:
    """The ids of a Put Block List body (<BlockList><Latest>id</Latest>...</BlockList>)."""
    try:
        root = ElementTree.fromstring(body)
    except ElementTree.ParseError as error:
        raise BadRequest("The block list is not valid XML ({})".format(error), code="InvalidXmlDocument") from None
    return [element.text or "" for element in root if element.tag in ("Latest", "Committed", "Uncommitted")]


def put_blob(request: Request) -> Reply:
    """Put Blob (block or append blob), Append Block, Put Block and Put Block List."""
    home, account = request.store.home, request.account
    where = (home, account, request.params["container"], request.params["blob"])
    comp = request.query.get("comp")
    extra: dict[str, str] = {}
    # The two calls that write a whole blob refuse an existing one when the client says so.
    if comp in (None, "blocklist") and request.headers.get("if-none-match") == "*" and backend.find(*where):
        return _storage_error(409, "BlobAlreadyExists", "The specified blob already exists.")
    if comp == "appendblock":
        existing = backend.find(*where)
        if existing is None:
            return _not_found(request)
        extra = {"x-ms-blob-append-offset": str(existing.stat().st_size)}
        backend.append(*where, request.body)
        extra["x-ms-blob-committed-block-count"] = "1"
    elif comp == "block":
        backend.stage_block(*where, request.query.get("blockid", ""), request.body)
        return Reply(201, b"", _headers(request.query.get("blockid", ""), time.time()))
    elif comp == "blocklist":
        backend.commit_blocks(*where, _block_ids(request.body))
    elif comp is not None:
        raise NotEmulated("Blob Storage {} (comp={})".format(request.method, comp))
    else:
        backend.write(*where, request.body)
    path = backend.find(*where)
    stat = path.stat()   # type: ignore[union-attr]
    return Reply(201, b"", _headers(str(stat.st_mtime_ns), stat.st_mtime, **{
        "x-ms-request-server-encrypted": "true", "Content-Type": "application/octet-stream", **extra}))


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
    asked = request.headers.get("x-ms-range") or request.headers.get("range")
    if not asked:
        return Reply(200, path.read_bytes(), headers)
    size = path.stat().st_size
    first, _, last = asked.removeprefix("bytes=").partition("-")
    try:
        start, end = int(first), min(int(last) if last else size - 1, size - 1)
    except ValueError:
        raise BadRequest("Range {!r} is not 'bytes=<first>-<last>'".format(asked), code="InvalidHeaderValue") from None
    if start >= size or end < start:
        return _storage_error(416, "InvalidRange", "The range specified is invalid for the current size of the "
                              "resource.")
    with open(path, "rb") as blob:
        blob.seek(start)
        content = blob.read(end - start + 1)
    return Reply(206, content, {**headers, "Content-Length": str(len(content)),
                                "Content-Range": "bytes {}-{}/{}".format(start, end, size)})


def list_blobs(request: Request) -> Reply:
    """List Blobs (``?restype=container&comp=list&prefix=``): every blob in one page."""
    if request.query.get("comp") != "list" or request.query.get("restype") != "container":
        raise NotEmulated("Blob Storage {} on a container (restype={}, comp={})".format(
            request.method, request.query.get("restype"), request.query.get("comp")))
    container, prefix = request.params["container"], request.query.get("prefix") or ""
    root = ElementTree.Element("EnumerationResults", ServiceEndpoint=blob_base_url(request.account) + "/",
                               ContainerName=container)
    ElementTree.SubElement(root, "Prefix").text = prefix
    blobs = ElementTree.SubElement(root, "Blobs")
    for name, path in backend.list_blobs(request.store.home, request.account, container, prefix):
        stat = path.stat()
        blob = ElementTree.SubElement(blobs, "Blob")
        ElementTree.SubElement(blob, "Name").text = name
        properties = ElementTree.SubElement(blob, "Properties")
        for key, value in (("Last-Modified", email.utils.formatdate(stat.st_mtime, usegmt=True)),
                           ("Etag", '"{}"'.format(stat.st_mtime_ns)), ("Content-Length", str(stat.st_size)),
                           ("Content-Type", "application/octet-stream"), ("BlobType", "BlockBlob")):
            ElementTree.SubElement(properties, key).text = value
    ElementTree.SubElement(root, "NextMarker")
    body = b'<?xml version="1.0" encoding="utf-8"?>' + ElementTree.tostring(root)
    return Reply(200, body, {"Content-Type": "application/xml", "x-ms-version": API_VERSION})


def blob_properties(request: Request) -> Reply:
    found = _existing(request)
    return _not_found(request) if found is None else Reply(200, b"", found[1])


ROUTES = (
    Route("GET", "/{container}", list_blobs, host=BLOB),
    Route("PUT", "/{container}/{blob:path}", put_blob, host=BLOB),
    Route("GET", "/{container}/{blob:path}", get_blob, host=BLOB),
    Route("HEAD", "/{container}/{blob:path}", blob_properties, host=BLOB),
)
