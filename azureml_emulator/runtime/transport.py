"""HTTP interception while the emulator is active.

Every `requests` call made in this process passes through
`HTTPAdapter.send`; the SDK's REST clients (msrest, its global MMS session and
plain `requests.get`) all use it. Calls to the emulator's reserved host are
answered in-process by the emulated REST endpoints; calls to loopback (the
local inference servers) go out as usual; anything else is refused, so no call
can leave the machine while the emulator is on.
"""
import ipaddress
from http import HTTPStatus
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from requests.structures import CaseInsensitiveDict

from azureml_emulator.rest.reply import EMULATOR_HOST
from azureml_emulator.rest.router import dispatch


class BlockedRequestError(requests.ConnectionError):
    """A request that would have left this machine while the emulator is active."""


def is_loopback(host: str) -> bool:
    if host in ("localhost",):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _body_bytes(body):
    if body is None or isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode("utf-8")
    if hasattr(body, "read"):
        return body.read()
    return b"".join(chunk if isinstance(chunk, bytes) else chunk.encode() for chunk in body)


def _to_response(prepared, reply) -> requests.Response:
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


def make_send(original_send):
    def send(adapter, request, **kwargs):
        host = urlsplit(request.url).hostname or ""
        if host == EMULATOR_HOST:
            return _to_response(request, dispatch(request.method, request.url, _body_bytes(request.body)))
        if is_loopback(host):
            return original_send(adapter, request, **kwargs)
        raise BlockedRequestError(
            "azureml_emulator is active, so this request was not sent: {} {}. The emulator answers Azure ML "
            "workspace calls itself and lets only loopback traffic through; this call is to a feature it "
            "does not emulate.".format(request.method, request.url), request=request)
    return send


def patch_target():
    return HTTPAdapter, "send", make_send(HTTPAdapter.send)
