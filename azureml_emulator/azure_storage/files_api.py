"""The Azure Files endpoint (``<account>.file.azureml-emulator.invalid``): the calls the SDK's
vendored file-share client makes for a file datastore's ``upload``, ``upload_files`` and
``download``: Get Directory Properties (``exists()``), Create Directory, Create File, Put Range,
Get File Properties, Get File (whole or a range) and List Directories and Files."""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from xml.etree import ElementTree

from azureml_emulator.addresses import FILE, file_base_url
from azureml_emulator.azure_storage import files_backend as backend
from azureml_emulator.errors import BadRequest, NotEmulated
from azureml_emulator.rest.reply import Reply
from azureml_emulator.rest.request import Request
from azureml_emulator.rest.router import Route
from azureml_emulator.azure_storage.replies import (API_VERSION, answered_as_storage, byte_range, common_headers,
                                              content_reply)


def _where(request: Request) -> tuple[Path, str, str, str]:
    return request.store.home, request.account, request.params["share"], request.params.get("path", "")


def _smb_time(moment: float) -> str:
    """Azure Files' SMB timestamps: ISO 8601 with seven fractional digits."""
    return datetime.fromtimestamp(moment, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f0Z")


def _properties(path: Path, **extra: str) -> dict[str, str]:
    etag, modified = backend.stamp(path)
    smb = _smb_time(modified)
    return common_headers(etag, modified, **{
        "x-ms-file-attributes": "Directory" if path.is_dir() else "Archive", "x-ms-file-creation-time": smb,
        "x-ms-file-last-write-time": smb, "x-ms-file-change-time": smb, "x-ms-server-encrypted": "true",
        "x-ms-file-id": str(path.stat().st_ino), "x-ms-file-parent-id": str(path.parent.stat().st_ino),
        "x-ms-file-permission-key": "emulated", **extra})


def _file_properties(path: Path) -> dict[str, str]:
    return _properties(path, **{"x-ms-type": "File", "Content-Length": str(path.stat().st_size),
                                "Content-Type": "application/octet-stream", "Accept-Ranges": "bytes"})


def _listing(request: Request, folder: Path) -> Reply:
    """List Directories and Files (``?restype=directory&comp=list&prefix=``): one page."""
    share, directory, prefix = request.params["share"], request.params.get("path", ""), request.query.get("prefix") or ""
    root = ElementTree.Element("EnumerationResults", ServiceEndpoint=file_base_url(request.account) + "/",
                               ShareName=share, DirectoryPath=directory)
    ElementTree.SubElement(root, "Prefix").text = prefix
    found = ElementTree.SubElement(root, "Entries")
    for entry in backend.entries(folder, prefix):
        item = ElementTree.SubElement(found, "Directory" if entry.is_directory else "File")
        ElementTree.SubElement(item, "Name").text = entry.name
        properties = ElementTree.SubElement(item, "Properties")
        if not entry.is_directory:
            ElementTree.SubElement(properties, "Content-Length").text = str(entry.path.stat().st_size)
    ElementTree.SubElement(root, "NextMarker")
    body = b'<?xml version="1.0" encoding="utf-8"?>' + ElementTree.tostring(root)
    return Reply(200, body, {"Content-Type": "application/xml", "x-ms-version": API_VERSION})


def get(request: Request) -> Reply:
    """A directory's properties or listing (``restype=directory``), or a file's content."""
    restype, comp = request.query.get("restype"), request.query.get("comp")
    if restype == "directory" and comp in (None, "list"):
        folder = backend.directory(*_where(request))
        return _listing(request, folder) if comp == "list" else Reply(200, b"", _properties(folder))
    if restype is None and comp is None:
        path = backend.file(*_where(request))
        return content_reply(request, path, _file_properties(path))
    raise NotEmulated("Azure Files GET (restype={}, comp={})".format(restype, comp))


def file_properties(request: Request) -> Reply:
    if request.query.get("restype") == "directory":   # the SDK reads directories with GET; HEAD works too
        return Reply(200, b"", _properties(backend.directory(*_where(request))))
    return Reply(200, b"", _file_properties(backend.file(*_where(request))))


def _put_range(request: Request) -> Reply:
    """Put Range: ``x-ms-range`` of the file becomes the body (``x-ms-write: update``) or zeros
    (``clear``); a range past the end of the file is Azure's 416, as files do not grow by it."""
    path = backend.file(*_where(request))
    asked = request.headers.get("x-ms-range") or request.headers.get("range") or ""
    size = path.stat().st_size
    span = byte_range(asked, size)
    if span is None or not asked.partition("-")[2] or span[1] != int(asked.partition("-")[2]):
        raise backend.RangeBeyondEnd()
    start, end = span
    clear = request.headers.get("x-ms-write", "update").lower() == "clear"
    backend.write_range(path, start, end, bytes(end - start + 1) if clear else request.body)
    return Reply(201, b"", _properties(path, **{"x-ms-request-server-encrypted": "true"}))


def put(request: Request) -> Reply:
    """Create Directory (``restype=directory``), Put Range (``comp=range``) and Create File."""
    restype, comp = request.query.get("restype"), request.query.get("comp")
    if restype == "directory" and comp is None:
        return Reply(201, b"", _properties(backend.create_directory(*_where(request))))
    if comp == "range" and restype is None:
        return _put_range(request)
    if restype is None and comp is None and request.headers.get("x-ms-type", "").lower() == "file":
        size = request.headers.get("x-ms-content-length", "")
        if not size.isdigit():
            raise BadRequest("x-ms-content-length {!r} is not a file size in bytes".format(size),
                             code="InvalidHeaderValue")
        path = backend.create_file(*_where(request), int(size))
        return Reply(201, b"", _properties(path, **{"x-ms-request-server-encrypted": "true"}))
    raise NotEmulated("Azure Files PUT (restype={}, comp={})".format(restype, comp))


_HANDLERS = {"GET": get, "HEAD": file_properties, "PUT": put}
ROUTES = tuple(Route(method, template, answered_as_storage(handler), host=FILE)
               for template in ("/{share}", "/{share}/{path:path}") for method, handler in _HANDLERS.items())
