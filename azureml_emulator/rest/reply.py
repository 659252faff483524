"""What an emulated endpoint answers: a status, a body and headers, and the error body
Azure ML's services send (`error_reply`), made in this one place from an `EmulatorError`."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from azureml_emulator.errors import EmulatorError, NotEmulated


@dataclass
class Reply:
    status: int
    body: Any = None          # dict/list -> JSON, bytes -> as is
    headers: dict = field(default_factory=dict)
    reason: str | None = None  # the status line's phrase; None: the standard one

    def content(self) -> bytes:
        if self.body is None:
            return b""
        if isinstance(self.body, bytes):
            return self.body
        return json.dumps(self.body).encode("utf-8")


def error_body(status: int, code: str, message: str, details: list | None = None) -> dict:
    """Azure ML's error shape. The SDK reads ``error.code``/``error.message``/``error.details``
    (its ServiceException iterates the details, so they must be a list); Model Management
    clients read the top-level ``code``/``message`` (and ``details``, when there are some)."""
    body = {"code": code, "statusCode": status, "message": message,
            "error": {"code": code, "message": message, "details": details or []}}
    if details:
        body["details"] = details
    return body


def error_reply(error: EmulatorError) -> Reply:
    # A call nobody emulates says so in its status line too: some SDK clients show only
    # that ("Operation returned an invalid status code '<reason>'"), not the body.
    reason = error.message if isinstance(error, NotEmulated) else None
    return Reply(error.status, error_body(error.status, error.code, error.message, error.details), reason=reason)
