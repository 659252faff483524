"""Dispatch an intercepted request to the emulated endpoint that answers it.

Each Azure service's api module declares its routes in one table (``ROUTES``), and
`runtime.routes` lists those tables. The router tries them in that documented order:

1. the tables in the order `runtime.routes.TABLES` lists them, and within a table its
   routes from top to bottom; the first route whose path and method match answers;
2. a path some route knows, asked with another method: 405, with an ``Allow`` header
   (unless the SDK has an operation for that method and path, or the path is Azure
   Storage's, which answers every method on any path: then 501, as in 3);
3. no route knows the path: 501, "not emulated by azureml_emulator: <operation>",
   naming the SDK operation that sends such a request (see `rest.catalogue`).

The ids, names and paths a matched route takes from the URL are checked before its handler
runs (no control character, a length a file name can have: `ids.checked_text`); one that
fails is a 400 saying why (Storage's XML error on Storage's hosts, ``InvalidResourceName``).

Whatever a handler raises becomes an HTTP reply here, never an exception out of the
transport: an `EmulatorError` gives its own status and Azure's error body; anything
else is an internal error (500) whose message names the handler and the exception.
"""
from __future__ import annotations

import re
import traceback
from dataclasses import dataclass, field
from typing import Callable, Iterable, Mapping, Sequence
from urllib.parse import unquote

from azureml_emulator.addresses import BLOB, FILE, SERVICE
from azureml_emulator.azure_storage.replies import INVALID_NAME, NAME_TOO_LONG, storage_error
from azureml_emulator.context import Emulator
from azureml_emulator.errors import BadRequest, EmulatorError, NameTooLong, NotEmulated
from azureml_emulator.ids import MAX_PATH_CHARACTERS, MAX_SEGMENT_BYTES, checked_path, checked_text
from azureml_emulator.rest import catalogue
from azureml_emulator.rest.reply import Reply, error_body, error_reply
from azureml_emulator.rest.request import Request

STORAGE = (BLOB, FILE)

# `{workspace}` in a route template: the path prefix that names one workspace.
WORKSPACE_SCOPE = ("/subscriptions/(?P<subscription>[^/]+)/resourceGroups/(?P<resource_group>[^/]+)"
                   "/providers/Microsoft.MachineLearningServices/workspaces/(?P<workspace>[^/]+)")
_PLACEHOLDER = re.compile(r"\{(\w+)(:path)?\}")

Handler = Callable[[Request], Reply]


def compile_template(template: str) -> re.Pattern:
    """``/models/{model_id}`` -> a regex; ``{x}`` is one path segment, ``{x:path}`` the rest."""
    def placeholder(match: re.Match) -> str:
        if match.group(1) == "workspace":
            return WORKSPACE_SCOPE
        return "(?P<{}>{})".format(match.group(1), ".+" if match.group(2) else "[^/]+")
    pieces, position = [], 0
    for match in _PLACEHOLDER.finditer(template):
        pieces += [re.escape(template[position:match.start()]), placeholder(match)]
        position = match.end()
    pieces.append(re.escape(template[position:]))
    return re.compile("^" + "".join(pieces) + "/?$")


@dataclass(frozen=True)
class Route:
    """METHOD and path template answered by ``handler(request) -> Reply``."""

    method: str
    template: str
    handler: Handler
    host: str = SERVICE    # which kind of emulator host answers it (`addresses`)
    pattern: re.Pattern = field(init=False, repr=False, compare=False)
    paths: frozenset = field(init=False, repr=False, compare=False)   # the ``{x:path}`` placeholders

    def __post_init__(self) -> None:
        object.__setattr__(self, "pattern", compile_template(self.template))
        object.__setattr__(self, "paths", frozenset(
            match.group(1) for match in _PLACEHOLDER.finditer(self.template) if match.group(2)))

    def check(self, params: dict[str, str]) -> None:
        """Refuse an id, name or path from the URL that no Azure name can be (`ids.checked_text`)."""
        for name, value in params.items():
            what = "'{}' in the URL".format(name)
            if name in self.paths:
                checked_path(value, what)
                continue
            # An id of names joined by colons (a model's name:version) is as long as its parts allow.
            checked_text(value, what, MAX_PATH_CHARACTERS if ":" in value else MAX_SEGMENT_BYTES)
            for part in value.split(":"):
                checked_text(part, what)


class Router:
    """The routes of every emulated service, tried in order."""

    def __init__(self, tables: Iterable[Sequence[Route]]) -> None:
        self.routes: tuple[Route, ...] = tuple(route for table in tables for route in table)

    def dispatch(self, method: str, url: str, body: bytes | None, emulator: Emulator,
                 headers: Mapping[str, str] | None = None) -> Reply:
        request = Request.from_url(method, url, body, emulator, headers)
        try:
            route, params = self._match(request)
            if route is None:
                raise NotEmulated(catalogue.describe(request.method, request.path))
            request.params = params
            try:
                route.check(params)
            except BadRequest as error:
                if request.host in STORAGE:   # Storage says it in its own words
                    return storage_error(400, *(NAME_TOO_LONG if isinstance(error, NameTooLong) else INVALID_NAME))
                raise
            return route.handler(request)
        except EmulatorError as error:
            return error_reply(error)
        except _MethodNotAllowed as refused:
            if request.host in STORAGE or catalogue.find(request.method, request.path):   # Azure answers it
                return error_reply(NotEmulated(catalogue.describe(request.method, request.path)))
            message = "{} is not allowed on {}: this path answers {}.".format(
                request.method, request.path, ", ".join(refused.allowed))
            return Reply(405, error_body(405, "MethodNotAllowed", message), {"Allow": ", ".join(refused.allowed)})
        except Exception as error:   # a bug in the emulator: still an HTTP answer, never a raise
            where = traceback.extract_tb(error.__traceback__)[-1]
            message = "azureml_emulator internal error answering {} {}: {}: {} (at {}:{})".format(
                request.method, request.path, type(error).__name__, error, where.filename, where.lineno)
            return Reply(500, error_body(500, "InternalServerError", message))

    def _match(self, request: Request) -> tuple[Route | None, dict[str, str]]:
        allowed = []
        for route in self.routes:
            if route.host != request.host:
                continue
            match = route.pattern.match(request.path)
            if match is None:
                continue
            if route.method == request.method:
                return route, {k: unquote(v) for k, v in match.groupdict().items() if v is not None}
            allowed.append(route.method)
        if allowed:
            raise _MethodNotAllowed(sorted(set(allowed)))
        return None, {}


class _MethodNotAllowed(Exception):
    def __init__(self, allowed: list[str]) -> None:
        super().__init__()
        self.allowed = allowed
