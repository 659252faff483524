"""The WSGI app a deployment serves: the real inference server's Flask app,
behind key authentication when the service was deployed with auth_enabled=True
(in Azure the container front end checks the key before the request reaches
the server, so the server itself has no such option)."""
import hmac
import json
import os

from azureml_inference_server_http.server.entry import app as inference_server_app

SERVICE_KEYS = [key for key in os.environ.get("AZUREML_EMULATOR_SERVICE_KEYS", "").split(",") if key]
UNAUTHORIZED = json.dumps({"message": "Unauthorized: send the header 'Authorization: Bearer <key>' "
                                      "with a key from service.get_keys()"}).encode()


def _authorized(environ) -> bool:
    header = environ.get("HTTP_AUTHORIZATION", "")
    return any(hmac.compare_digest(header, "Bearer " + key) for key in SERVICE_KEYS)


def app(environ, start_response):
    if SERVICE_KEYS and not _authorized(environ):
        start_response("401 Unauthorized", [("Content-Type", "application/json"),
                                            ("WWW-Authenticate", "Bearer")])
        return [UNAUTHORIZED]
    return inference_server_app(environ, start_response)
