"""Dispatch an intercepted HTTP request to the emulated Azure ML REST endpoint."""
import json
import re
from urllib.parse import parse_qsl, unquote, urlsplit

from azureml_emulator.rest.reply import Reply, json_error

WORKSPACE_SCOPE = (r"/subscriptions/(?P<sub>[^/]+)/resourceGroups/(?P<rg>[^/]+)"
                   r"/providers/Microsoft.MachineLearningServices/workspaces/(?P<ws>[^/]+)")

_routes = []


def route(method, pattern):
    """Register ``handler(request, **path_params)`` for METHOD and a path regex."""
    compiled = re.compile("^" + pattern.replace("{scope}", WORKSPACE_SCOPE) + "/?$")

    def register(handler):
        _routes.append((method, compiled, handler))
        return handler
    return register


class Request:
    """What a handler needs to know about the call."""

    def __init__(self, method, url, body):
        parts = urlsplit(url)
        self.method = method.upper()
        self.path = parts.path
        self.query = dict(parse_qsl(parts.query, keep_blank_values=True))
        self.raw_body = body or b""

    def json(self):
        if not self.raw_body:
            return None
        data = self.raw_body.decode("utf-8") if isinstance(self.raw_body, bytes) else self.raw_body
        return json.loads(data)


def make_workspace_key(subscription_id, resource_group, name) -> str:
    """How the store names a workspace."""
    return "{}/{}/{}".format(subscription_id, resource_group, name)


def workspace_key(params) -> str:
    return make_workspace_key(params.pop("sub"), params.pop("rg"), params.pop("ws"))


def dispatch(method, url, body) -> Reply:
    # Importing the endpoint modules registers their routes.
    from azureml_emulator.models import api as api_models
    from azureml_emulator.environments import api as api_environments
    from azureml_emulator.webservices import api as api_services
    from azureml_emulator.artifacts import api as api_artifacts  # noqa: F401
    request = Request(method, url, body)
    for route_method, pattern, handler in _routes:
        match = pattern.match(request.path)
        if match and route_method == request.method:
            params = {k: unquote(v) for k, v in match.groupdict().items() if v is not None}
            return handler(request, **params)
    return json_error(404, "NotFound",
                      "azureml_emulator does not emulate {} {}".format(request.method, request.path))
