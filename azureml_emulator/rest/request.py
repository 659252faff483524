"""An intercepted HTTP request, as an endpoint handler sees it.

Every way a request can be malformed (a body that is not JSON as Azure reads it, see
`rest.body`; a query value that is not a number) raises `BadRequest` here, so handlers
never see a raw parsing exception.
"""
from __future__ import annotations

import email.parser
import email.policy
import re
from dataclasses import dataclass, field
from typing import Any, Mapping, overload
from urllib.parse import parse_qsl, urlsplit

from azureml_emulator.addresses import SERVICE, host_kind
from azureml_emulator.context import Emulator
from azureml_emulator.errors import BadRequest
from azureml_emulator.ids import WorkspaceKey
from azureml_emulator.rest import body as json_body
from azureml_emulator.store import Store


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    body: bytes
    emulator: Emulator
    params: dict[str, str] = field(default_factory=dict)   # from the matched route's template
    host: str = SERVICE     # which of the emulator's hosts was asked (`addresses.host_kind`)
    account: str = ""       # the storage account, for a Blob Storage host
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_url(cls, method: str, url: str, body: bytes | None, emulator: Emulator,
                 headers: Mapping[str, str] | None = None) -> Request:
        parts = urlsplit(url)
        host, account = host_kind(parts.hostname) or (SERVICE, "")
        # The SDK joins some URLs with a doubled slash ("https://host//subscriptions/..."): Azure accepts it.
        path = re.sub("/{2,}", "/", parts.path)
        return cls(method=method.upper(), path=path, body=body or b"", emulator=emulator,
                   query=dict(parse_qsl(parts.query, keep_blank_values=True)), host=host, account=account,
                   headers={k.lower(): v for k, v in (headers or {}).items()})

    @property
    def store(self) -> Store:
        return self.emulator.store

    @property
    def workspace(self) -> WorkspaceKey:
        """The workspace named in the route's ``{workspace}`` scope."""
        return WorkspaceKey(self.params["subscription"], self.params["resource_group"], self.params["workspace"])

    def json(self) -> Any:
        """The body parsed as JSON; None when there is no body."""
        if not self.body:
            return None
        return json_body.parse(self.body)

    def json_object(self) -> dict:
        """The body as a JSON object ({} when there is no body)."""
        data = self.json()
        if data is None:
            return {}
        if not isinstance(data, dict):
            raise BadRequest("The request body is a JSON {}: expected a JSON object."
                             .format(type(data).__name__))
        return data

    def json_file(self, filename: str) -> dict:
        """The JSON object a multipart body carries as the file ``filename`` (the SDK posts a
        local run's definition.json and a sweep's config.json this way)."""
        content_type = self.headers.get("content-type", "")
        if not content_type.startswith("multipart/"):
            raise BadRequest("Expected a multipart body with {}, got Content-Type {!r}".format(filename, content_type))
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
            b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + self.body)
        for part in message.iter_parts():
            if part.get_filename() == filename:
                content = part.get_payload(decode=True)   # None for a part that is itself multipart
                if not isinstance(content, bytes):
                    raise BadRequest("The multipart body's {} part is not a file".format(filename))
                document = json_body.parse(content, filename)
                if not isinstance(document, dict):
                    raise BadRequest("{} is a JSON {}: expected an object".format(filename, type(document).__name__))
                return document
        raise BadRequest("The multipart body has no {} part".format(filename))

    def json_list(self) -> list:
        """The body as a JSON array ([] when there is no body)."""
        data = self.json()
        if data is None:
            return []
        if not isinstance(data, list):
            raise BadRequest("The request body is a JSON {}: expected a JSON array."
                             .format(type(data).__name__))
        return data

    @overload
    def int_query(self, name: str, default: int) -> int: ...

    @overload
    def int_query(self, name: str, default: None = None) -> int | None: ...

    def int_query(self, name: str, default: int | None = None) -> int | None:
        """A whole-number query parameter, or ``default`` when it is absent or empty."""
        value = self.query.get(name)
        if not value:   # absent or empty
            return default
        try:
            number = int(value)
        except ValueError:
            raise BadRequest("Query parameter '{}' is {!r}: expected a whole number.".format(name, value)) from None
        if number < 0:
            raise BadRequest("Query parameter '{}' is {}: expected zero or more.".format(name, number))
        return number
