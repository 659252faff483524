"""The Blob Storage endpoint (``<account>.blob.azureml-emulator.invalid``): the calls the
SDK's vendored storage client makes: Put Blob (block and append blobs; ``If-None-Match: *``
refuses an existing blob), Append Block, Put Block and Put Block List (files over 64 MB),
Get Blob (whole, or the range ``x-ms-range`` asks for), Get Blob Properties and List Blobs."""
from __future__ import annotations

import email.utils
import time
from xml.etree import ElementTree

from azureml_emulator.addresses import BLOB, blob_base_url
from azureml_emulator.azure_storage import backend
from azureml_emulator.errors import BadRequest, NotEmulated
from azureml_emulator.rest.reply import Reply
from azureml_emulator.rest.request import Request
from azureml_emulator.rest.router import Route
from azureml_emulator.azure_storage.replies import (API_VERSION, answered_as_storage, common_headers, content_reply,
                                              storage_error)


def _not_found(request: Request) -> Reply:
    return storage_error(404, "BlobNotFound", "The specified blob does not exist.")


def _block_ids(body: bytes) -> list[str]:
    """The ids of a Put Block List body (<BlockList><Latest>id</Latest>...</BlockList>)."""
    try:
        root = ElementTree.fromstring(body)
    except ElementTree.ParseError as error:
        raise BadRequest("The block list is not valid XML ({})".format(error), code="InvalidXmlDocument") from None
    return [element.text or "" for element in root if element.tag in ("Latest", "Committed", "Uncommitted")]


def _anonymous(request: Request) -> bool:
    """A request with neither a Shared Key (``Authorization``) nor a SAS (``sig=``): Azure lets
    such a request read a public container, never write."""
    return "authorization" not in request.headers and "sig" not in request.query


def put_blob(request: Request) -> Reply:
    """Put Blob (block or append blob), Append Block, Put Block and Put Block List."""
    if _anonymous(request):   # a datastore registered with no account key or SAS token
        return storage_error(401, "NoAuthenticationInformation", "Server failed to authenticate the request. "
                             "Please refer to the information in the www-authenticate header.")
    home, account = request.store.home, request.account
    where = (home, account, request.params["container"], request.params["blob"])
    comp = request.query.get("comp")
    extra: dict[str, str] = {}
    # The two calls that write a whole blob refuse an existing one when the client says so.
    if comp in (None, "blocklist") and request.headers.get("if-none-match") == "*" and backend.find(*where):
        return storage_error(409, "BlobAlreadyExists", "The specified blob already exists.")
    if comp == "appendblock":
        existing = backend.find(*where)
        if existing is None:
            return _not_found(request)
        extra = {"x-ms-blob-append-offset": str(existing.stat().st_size)}
        backend.append(*where, request.body)
        extra["x-ms-blob-committed-block-count"] = "1"
    elif comp == "block":
        backend.stage_block(*where, request.query.get("blockid", ""), request.body)
        return Reply(201, b"", common_headers(request.query.get("blockid", ""), time.time()))
    elif comp == "blocklist":
        backend.commit_blocks(*where, _block_ids(request.body))
    elif comp is not None:
        raise NotEmulated("Blob Storage {} (comp={})".format(request.method, comp))
    else:
        backend.write(*where, request.body)
    stat = backend.blob_path(*where).stat()   # the blob just written
    return Reply(201, b"", common_headers(str(stat.st_mtime_ns), stat.st_mtime, **{
        "x-ms-request-server-encrypted": "true", "Content-Type": "application/octet-stream", **extra}))


def _existing(request: Request) -> tuple | None:
    path = backend.find(request.store.home, request.account, request.params["container"], request.params["blob"])
    if path is None:
        return None
    stat = path.stat()
    return path, common_headers(str(stat.st_mtime_ns), stat.st_mtime, **{
        "Content-Length": str(stat.st_size), "x-ms-blob-type": "BlockBlob", "Content-Type": "application/octet-stream"})


def get_blob(request: Request) -> Reply:
    found = _existing(request)
    if found is None:
        return _not_found(request)
    path, headers = found
    return content_reply(request, path, headers)


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
    Route("GET", "/{container}", answered_as_storage(list_blobs), host=BLOB),
    Route("PUT", "/{container}/{blob:path}", answered_as_storage(put_blob), host=BLOB),
    Route("GET", "/{container}/{blob:path}", answered_as_storage(get_blob), host=BLOB),
    Route("HEAD", "/{container}/{blob:path}", answered_as_storage(blob_properties), host=BLOB),
)
