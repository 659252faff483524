"""The WSGI app a deployment serves: the real inference server's Flask app behind what
ACI's front end does before a request reaches the container's server:

* key authentication when the service was deployed with auth_enabled=True;
* a body over 100 MB gets 413 (the front end's ``client_max_body_size 100m``);
* a scoring request still running after 60 s gets 504 (text/plain, as ACI answers); the
  request goes on in the background and the service answers the next one.
"""
import hmac
import json
import os
import threading
from typing import Any, Callable, Dict, Iterable

from azureml_inference_server_http.server.entry import app as inference_server_app

from azureml_emulator.execution import service_contract

SERVICE_KEYS = service_contract.decode_keys()
SCORING_TIMEOUT = float(os.environ.get(service_contract.SCORING_TIMEOUT) or service_contract.DEFAULT_SCORING_TIMEOUT_SECONDS)
UNAUTHORIZED = json.dumps({"message": "Unauthorized: send the header 'Authorization: Bearer <key>' "
                                      "with a key from service.get_keys()"}).encode()
TOO_LARGE = (b"<html>\r\n<head><title>413 Request Entity Too Large</title></head>\r\n<body>\r\n"
             b"<center><h1>413 Request Entity Too Large</h1></center>\r\n</body>\r\n</html>\r\n")


def _authorized(environ: dict) -> bool:
    header = environ.get("HTTP_AUTHORIZATION", "")
    return any(hmac.compare_digest(header, "Bearer " + key) for key in SERVICE_KEYS)


def _with_timeout(environ: dict, start_response: Callable[..., Any]) -> Iterable[bytes]:
    """Run the server's app in a thread; answer 504 if it has not answered in time."""
    answer: Dict[str, Any] = {}

    def capture(status: str, headers: list, exc_info: Any = None) -> Callable[[bytes], None]:
        answer.update(status=status, headers=headers)
        return lambda data: None

    def serve() -> None:
        answer["body"] = b"".join(inference_server_app(environ, capture))

    worker = threading.Thread(target=serve, daemon=True)
    worker.start()
    worker.join(SCORING_TIMEOUT)
    if worker.is_alive() or "body" not in answer:
        start_response("504 Gateway Timeout", [("Content-Type", "text/plain; charset=utf-8")])
        return ["Post http://localhost:5001/score: net/http: request canceled (Client.Timeout exceeded while "
                "awaiting headers) (azureml_emulator: the scoring request ran over ACI's {:g} s limit)"
                .format(SCORING_TIMEOUT).encode()]
    start_response(answer["status"], answer["headers"])
    return [answer["body"]]


def app(environ: dict, start_response: Callable[..., Any]) -> Iterable[bytes]:
    if SERVICE_KEYS and not _authorized(environ):
        start_response("401 Unauthorized", [("Content-Type", "application/json"),
                                            ("WWW-Authenticate", "Bearer")])
        return [UNAUTHORIZED]
    if int(environ.get("CONTENT_LENGTH") or 0) > service_contract.MAX_BODY_BYTES:
        start_response("413 Request Entity Too Large", [("Content-Type", "text/html")])
        return [TOO_LARGE]
    if environ.get("PATH_INFO", "").rstrip("/") == "/score":
        return _with_timeout(environ, start_response)
    return inference_server_app(environ, start_response)
