"""The one interception seam: `requests`' ``HTTPAdapter.send`` while the emulator is active.

Every `requests` call made in this process passes through it; the SDK's REST clients
(msrest, its global MMS session and plain `requests.get`) all use it. It fails closed:

* the emulator's reserved hosts (`addresses`) are answered in-process by `runtime.routes.ROUTER`, which
  always answers with an HTTP reply, never an exception;
* loopback (127.0.0.0/8, ::1, ``localhost``) on the port of one of this home's services:
  the local inference servers, sent as usual;
* GET and HEAD of the open dataset files the emulator holds, at their public URLs on Azure Open
  Datasets' storage (`data_access.public_files`: MNIST's four files), answered from the local copy;
* anything else (other hostnames, other IP addresses, other loopback ports) is refused
  with `BlockedRequestError`, so no request can leave the machine, nor reach a local
  server that is not the emulator's, while the emulator is on.
"""
from __future__ import annotations

import io
import ipaddress
import urllib.error
import urllib.request
import urllib.response
from email.message import Message
from http import HTTPStatus
from typing import Any, Callable
from urllib.parse import urlsplit

import requests
import urllib3
from requests.structures import CaseInsensitiveDict

from azureml_emulator.addresses import host_kind
from azureml_emulator.context import current
from azureml_emulator.data_access import public_files
from azureml_emulator.rest.reply import Reply
from azureml_emulator.runtime.routes import ROUTER
from azureml_emulator.webservices import repository


class BlockedRequestError(requests.ConnectionError):
    """A request that would have left this machine while the emulator is active."""


def is_loopback(host: str | None) -> bool:
    """``localhost`` or a loopback address (a URL's hostname: an IPv6 one without brackets)."""
    if host == "localhost":
        return True
    if host is None:
        return False
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _body_bytes(body: Any) -> bytes | None:
    if body is None or isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode()
    # A generator of chunks, or a file (read line by line), of bytes or text.
    return b"".join(chunk if isinstance(chunk, bytes) else chunk.encode() for chunk in body)


def _to_response(prepared: requests.PreparedRequest, reply: Reply) -> requests.Response:
    response = requests.Response()
    response.status_code = reply.status
    response.reason = reply.reason or HTTPStatus(reply.status).phrase
    response._content = reply.content()
    # azure-core's transport (the SDK's blob client) configures the raw stream of each response.
    response.raw = urllib3.HTTPResponse(body=io.BytesIO(response._content), status=reply.status,
                                        preload_content=False)
    response.headers = CaseInsensitiveDict({"Content-Type": "application/json", **reply.headers})
    response.url = prepared.url or ""   # a request sent always has one
    response.request = prepared
    response.encoding = "utf-8"
    return response


def _port(url: str) -> int | None:
    parts = urlsplit(url)
    try:
        return parts.port or {"http": 80, "https": 443}.get(parts.scheme)
    except ValueError:
        return None


def refusal(method: str, url: str) -> str | None:
    """Why a request for a host other than the emulator's is not sent; None for a loopback
    request to one of this home's services, the only kind let through."""
    open_data = public_files.refusal(method, url)
    if open_data:
        return open_data
    if is_loopback(urlsplit(url).hostname):
        store = current().store
        if _port(url) in repository.service_ports(store):
            return None
        return ("azureml_emulator is active, so this request was not sent: {} {}. No service of this emulator "
                "(home: {}) listens on that port; the emulator lets through only loopback requests to its own "
                "services.".format(method, url, store.home))
    return ("azureml_emulator is active, so this request was not sent: {} {}. The emulator answers Azure ML "
            "workspace calls itself and lets only loopback requests to its own services through; this call "
            "is to a feature it does not emulate.".format(method, url))


def make_urlopen(original_urlopen: Callable[..., Any]) -> Callable[..., Any]:
    """`urllib.request.urlopen`, which some SDK parts use directly (the run widget reads log
    files with it; samples download MNIST with urlretrieve, which calls it): the emulator's hosts
    and the open dataset files it holds are answered as `requests` calls are, and what
    `refusal` refuses is refused the same way."""
    def urlopen(url: Any, data: Any = None, *args: Any, **kwargs: Any) -> Any:
        request = url if isinstance(url, urllib.request.Request) else urllib.request.Request(str(url), data=data)
        target, method = request.full_url, request.get_method()
        if host_kind(urlsplit(target).hostname) is not None:
            reply = ROUTER.dispatch(method, target, _body_bytes(request.data), current(), dict(request.header_items()))
            if reply.status >= 400:
                raise urllib.error.HTTPError(target, reply.status, reply.reason or HTTPStatus(reply.status).phrase,
                                             Message(), io.BytesIO(reply.content()))
            return urllib.response.addinfourl(io.BytesIO(reply.content()), Message(), target, reply.status)
        held = public_files.answer(method, target)
        if held is not None:
            headers = Message()
            for name, value in held.headers.items():
                headers[name] = value
            return urllib.response.addinfourl(io.BytesIO(held.content()), headers, target, held.status)
        refused = refusal(method, target)
        if refused:
            raise urllib.error.URLError(refused)
        return original_urlopen(url, data, *args, **kwargs)
    return urlopen


def make_send(original_send: Callable[..., requests.Response]) -> Callable[..., requests.Response]:
    def send(adapter: Any, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        method, url = str(request.method), str(request.url)   # a prepared request has both
        if host_kind(urlsplit(url).hostname) is not None:
            reply = ROUTER.dispatch(method, url, _body_bytes(request.body), current(), request.headers)
            return _to_response(request, reply)
        held = public_files.answer(method, url)
        if held is not None:
            return _to_response(request, held)
        refused = refusal(method, url)
        if refused:
            raise BlockedRequestError(refused, request=request)
        return original_send(adapter, request, **kwargs)
    return send
