"""The one interception seam: `requests`' ``HTTPAdapter.send`` while the emulator is active.

Every `requests` call made in this process passes through it; the SDK's REST clients
(msrest, its global MMS session and plain `requests.get`) all use it. It fails closed:

* the emulator's reserved host is answered in-process by `rest.routes.ROUTER`, which
  always answers with an HTTP reply, never an exception;
* loopback (127.0.0.0/8, ::1, ``localhost``) on the port of one of this home's services:
  the local inference servers, sent as usual;
* anything else (other hostnames, other IP addresses, other loopback ports) is refused
  with `BlockedRequestError`, so no request can leave the machine, nor reach a local
  server that is not the emulator's, while the emulator is on.
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
from azureml_emulator.webservices import repository


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
    response.reason = reply.reason or HTTPStatus(reply.status).phrase
    response._content = reply.content()
    response._content_consumed = True
    response.headers = CaseInsensitiveDict({"Content-Type": "application/json", **reply.headers})
    response.url = prepared.url
    response.request = prepared
    response.encoding = "utf-8"
    return response


def _port(url: str) -> int | None:
    parts = urlsplit(url)
    try:
        return parts.port or {"http": 80, "https": 443}.get(parts.scheme)
    except ValueError:
        return None


def make_send(original_send: Callable[..., requests.Response]) -> Callable[..., requests.Response]:
    def send(adapter: Any, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        url = request.url or ""
        host = urlsplit(url).hostname or ""
        if host == EMULATOR_HOST:
            reply = ROUTER.dispatch(request.method or "GET", url, _body_bytes(request.body), current())
            return _to_response(request, reply)
        if is_loopback(host):
            store = current().store
            if _port(url) in repository.service_ports(store):
                return original_send(adapter, request, **kwargs)
            raise BlockedRequestError(
                "azureml_emulator is active, so this request was not sent: {} {}. No service of this emulator "
                "(home: {}) listens on that port; the emulator lets through only loopback requests to its own "
                "services.".format(request.method, url, store.home), request=request)
        raise BlockedRequestError(
            "azureml_emulator is active, so this request was not sent: {} {}. The emulator answers Azure ML "
            "workspace calls itself and lets only loopback requests to its own services through; this call "
            "is to a feature it does not emulate.".format(request.method, url), request=request)
    return send
