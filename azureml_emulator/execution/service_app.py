"""The WSGI app a deployment serves: the real inference server's Flask app, behind key
authentication when the service was deployed with auth_enabled=True (in Azure the
container's front end checks the key before the request reaches the server, so the
server itself has no such option)."""
from __future__ import annotations

import hmac
import json
from typing import Any, Callable, Iterable

from azureml_inference_server_http.server.entry import app as inference_server_app

from azureml_emulator.execution import protocol

SERVICE_KEYS = protocol.decode_keys()
UNAUTHORIZED = json.dumps({"message": "Unauthorized: send the header 'Authorization: Bearer <key>' "
                                      "with a key from service.get_keys()"}).encode()


def _authorized(environ: dict) -> bool:
    header = environ.get("HTTP_AUTHORIZATION", "")
    return any(hmac.compare_digest(header, "Bearer " + key) for key in SERVICE_KEYS)


def app(environ: dict, start_response: Callable[..., Any]) -> Iterable[bytes]:
    if SERVICE_KEYS and not _authorized(environ):
        start_response("401 Unauthorized", [("Content-Type", "application/json"),
                                            ("WWW-Authenticate", "Bearer")])
        return [UNAUTHORIZED]
    return inference_server_app(environ, start_response)
