"""The one interception seam: `requests`' ``HTTPAdapter.send`` while the emulator is active.

Every `requests` call made in this process passes through it; the SDK's REST clients
(msrest, its global MMS session and plain `requests.get`) all use it. It fails closed:

* the emulator's reserved host is answered in-process by `rest.routes.ROUTER`, which
  always answers with an HTTP reply, never an exception;
* loopback (127.0.0.0/8, ::1, ``localhost``): the local inference servers, sent as usual;
* anything else (other hostnames, other IP addresses) is refused with
  `BlockedRequestError`, so no request can leave the machine while the emulator is on.
"""
from __future__ import annotations

import ipaddress
from http import HTTPStatus
from typing import Any, Callable
from urllib.parse import urlsplit

import requests
from requests.structures import CaseInsensitiveDict

from azureml_emulator.addresses import EMULATOR_HOST
from azureml_emulator.rest.reply import Reply
from azureml_emulator.rest.routes import ROUTER
from azureml_emulator.runtime.context import current


class BlockedRequestError(requests.ConnectionError):
    """A request that would have left this machine while the emulator is active."""


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _body_bytes(body: Any) -> bytes | None:
    if body is None or isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode("utf-8")
    if hasattr(body, "read"):
        data = body.read()
        return data.encode("utf-8") if isinstance(data, str) else data
    return b"".join(chunk if isinstance(chunk, bytes) else chunk.encode() for chunk in body)


def _to_response(prepared: requests.PreparedRequest, reply: Reply) -> requests.Response:
    response = requests.Response()
    response.status_code = reply.status
    response.reason = HTTPStatus(reply.status).phrase
    response._content = reply.content()
    response._content_consumed = True
    response.headers = CaseInsensitiveDict({"Content-Type": "application/json", **reply.headers})
    response.url = prepared.url
    response.request = prepared
    response.encoding = "utf-8"
    return response


def make_send(original_send: Callable[..., requests.Response]) -> Callable[..., requests.Response]:
    def send(adapter: Any, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        host = urlsplit(request.url).hostname or ""
        if host == EMULATOR_HOST:
            reply = ROUTER.dispatch(request.method or "GET", request.url, _body_bytes(request.body), current().store)
            return _to_response(request, reply)
        if is_loopback(host):
            return original_send(adapter, request, **kwargs)
        raise BlockedRequestError(
            "azureml_emulator is active, so this request was not sent: {} {}. The emulator answers Azure ML "
            "workspace calls itself and lets only loopback traffic through; this call is to a feature it "
            "does not emulate.".format(request.method, request.url), request=request)
    return send
