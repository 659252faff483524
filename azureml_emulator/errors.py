"""What can go wrong in the emulator, as types.

Backends raise these errors; the REST layer turns each one into the error body Azure ML's
services send (`rest.reply.error_reply`), with the HTTP status and Azure error code the
class carries. Code outside a request (the CLI, the SDK seams) catches them by type.
"""
from __future__ import annotations

from pathlib import Path
from typing import TypeVar

T = TypeVar("T")


class EmulatorError(Exception):
    """Base class: an Azure-shaped error with its HTTP status and error code."""

    status: int = 500
    code: str = "InternalServerError"
    details: list | None = None   # Azure's ``details``: [{"code": ..., "message": ...}]

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code


class BadRequest(EmulatorError):
    """The request is malformed: the message says what was wrong and what is expected."""

    status = 400
    code = "BadRequest"


class NameTooLong(BadRequest):
    """An id, name or path longer than the emulator keeps (names become file names)."""


class NotFound(EmulatorError):
    """The named resource does not exist in this workspace."""

    status = 404
    code = "NotFound"


def found(value: "T | None", what: str, code: str) -> "T":
    """``value``, or NotFound("<what> was not found") with Azure's ``code`` when it is None."""
    if value is None:
        raise NotFound("{} was not found".format(what), code=code)
    return value


class Unauthorized(EmulatorError):
    """The request carries no bearer token where the service requires one."""

    status = 401
    code = "Unauthorized"


class Conflict(EmulatorError):
    """The resource exists already, or its state forbids the operation."""

    status = 409
    code = "Conflict"


class NotEmulated(EmulatorError):
    """An Azure ML operation the emulator does not answer. 501, which the SDK does not retry."""

    status = 501
    code = "NotEmulated"

    def __init__(self, operation: str) -> None:
        super().__init__("not emulated by azureml_emulator: {}".format(operation))


class DeploymentError(EmulatorError):
    """A deployment cannot start (its model or entry script is missing, its port is taken...)."""

    status = 400
    code = "ServiceDeploymentFailed"


class BuildError(DeploymentError):
    """An environment cannot be built; ``log_path`` is the installer's whole log, when kept."""

    code = "EnvironmentBuildFailed"

    def __init__(self, message: str, log_path: object = None) -> None:
        super().__init__(message)
        self.log_path = log_path

    def report(self) -> str:
        """The message, then the installer's whole log when it was kept: what a build log shows."""
        log = Path(str(self.log_path)).read_text(errors="replace") if self.log_path else ""
        return self.message + "\n\nThe installer's log:\n" + log


class StateError(EmulatorError):
    """The emulator's stored state cannot be read (a corrupt or newer database)."""

    code = "EmulatorStateUnreadable"
