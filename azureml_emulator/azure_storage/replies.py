"""What Azure Storage answers besides data: its XML error body with the ``x-ms-error-code``
header, which the SDK's storage clients turn into their typed errors (a 404 with
``ResourceNotFound`` is "does not exist", which ``exists()`` reads as False)."""
from __future__ import annotations

import email.utils
import functools
import hashlib
from typing import Callable
from pathlib import Path
from xml.sax.saxutils import escape

from azureml_emulator.errors import BadRequest, EmulatorError, NotEmulated
from azureml_emulator.rest.reply import Reply
from azureml_emulator.rest.request import Request

API_VERSION = "2019-02-02"


# Storage's own words for a name it refuses, whatever was wrong with it.
INVALID_NAME = ("InvalidResourceName", "The specifed resource name contains invalid characters.")
NAME_TOO_LONG = ("OutOfRangeInput", "The specified resource name length is not within the permissible limits.")


def storage_error(status: int, code: str, message: str) -> Reply:
    body = ("<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>{}</Code><Message>{}</Message></Error>"
            .format(escape(code), escape(message))).encode()
    return Reply(status, body, {"x-ms-error-code": code, "Content-Type": "application/xml"}, reason=message)


def answered_as_storage(handler: Callable[[Request], Reply]) -> Callable[[Request], Reply]:
    """``handler``, with the emulator's errors answered in Storage's shape (a call that is not
    emulated keeps the router's JSON body, which names the operation)."""
    @functools.wraps(handler)
    def answer(request: Request) -> Reply:
        try:
            return handler(request)
        except NotEmulated:
            raise
        except EmulatorError as error:
            return storage_error(error.status, error.code, error.message)
    return answer


def common_headers(etag: str, modified: float, **extra: str) -> dict[str, str]:
    return {"ETag": '"{}"'.format(etag), "Last-Modified": email.utils.formatdate(modified, usegmt=True),
            "Date": email.utils.formatdate(usegmt=True), "x-ms-version": API_VERSION,
            "x-ms-request-id": hashlib.md5(etag.encode()).hexdigest(), **extra}


def byte_range(asked: str, size: int) -> tuple[int, int] | None:
    """(first, last) byte of ``bytes=<first>-[<last>]`` within ``size`` bytes; None when the
    range starts past the end (Azure's 416)."""
    first, _, last = asked.removeprefix("bytes=").partition("-")
    try:
        start, end = int(first), min(int(last) if last else size - 1, size - 1)
    except ValueError:
        raise BadRequest("Range {!r} is not 'bytes=<first>-<last>'".format(asked), code="InvalidHeaderValue") from None
    return None if start >= size or end < start else (start, end)


def content_reply(request: Request, path: Path, headers: dict[str, str]) -> Reply:
    """A blob's or file's content: whole (200), or the range ``x-ms-range`` or ``Range`` asks for (206)."""
    asked = request.headers.get("x-ms-range") or request.headers.get("range")
    if not asked:
        return Reply(200, path.read_bytes(), headers)
    size = path.stat().st_size
    span = byte_range(asked, size)
    if span is None:
        return storage_error(416, "InvalidRange", "The range specified is invalid for the current size of the "
                             "resource.")
    start, end = span
    with open(path, "rb") as stored:
        stored.seek(start)
        content = stored.read(end - start + 1)
    return Reply(206, content, {**headers, "Content-Length": str(len(content)),
                                "Content-Range": "bytes {}-{}/{}".format(start, end, size)})
