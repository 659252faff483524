"""Identifiers the emulator passes around, each with one parser and one formatter.

`str()` of each is the text form the store and the SDK use, so rows written by
earlier versions of the emulator read back unchanged.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from azureml_emulator.errors import BadRequest, NameTooLong


MAX_SEGMENT_BYTES = 255   # a file name's limit (NAME_MAX): names and ids become folder and file names
MAX_PATH_CHARACTERS = 1024   # Azure's limit for a blob name, the longest path a route takes


def checked_text(text: str, what: str, max_bytes: int = MAX_SEGMENT_BYTES) -> str:
    """``text`` (an id or name from a URL or a body), refused when it holds a NUL or another
    control character or is not Unicode text, or is longer than ``max_bytes`` in UTF-8."""
    try:
        size = len(text.encode("utf-8"))
    except UnicodeEncodeError:
        raise BadRequest("Invalid {}: it is not valid Unicode text (a lone surrogate): expected a name of "
                         "letters, digits and punctuation".format(what)) from None
    bad = next((c for c in text if unicodedata.category(c) == "Cc"), None)
    if bad is not None:
        raise BadRequest("Invalid {} {!r}: it holds the control character {!r}: expected a name of letters, "
                         "digits and punctuation".format(what, _shown(text), bad))
    if size > max_bytes:
        raise NameTooLong("Invalid {} {!r}: it is {} bytes long: expected at most {} bytes (UTF-8)".format(
            what, _shown(text), size, max_bytes))
    return text


def checked_path(text: str, what: str) -> str:
    """A path from a URL: each of its parts a `checked_text`, at most `MAX_PATH_CHARACTERS` in all."""
    if len(text) > MAX_PATH_CHARACTERS:
        raise NameTooLong("Invalid {} {!r}: it is {} characters long: expected at most {}".format(
            what, _shown(text), len(text), MAX_PATH_CHARACTERS))
    for part in text.split("/"):
        checked_text(part, what + " part")
    return text


def _shown(text: str) -> str:
    """``text`` cut to a length an error message can carry."""
    return text if len(text) <= 80 else text[:60] + "..."


SEGMENT = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,255}$")


def safe_name(text: Any, what: str) -> str:
    """A name used as one folder name (a run id, a dataset input name): letters, digits,
    ``_``, ``.`` and ``-``, not starting with a dot."""
    if not isinstance(text, str) or not SEGMENT.match(text):
        raise BadRequest("Invalid {} {!r}: expected 1-256 letters, digits, '_', '.' or '-', not starting with "
                         "'.' or '-'".format(what, text))
    return text


@dataclass(frozen=True)
class WorkspaceKey:
    """A workspace: subscription, resource group and name (``sub/rg/name`` in the store)."""

    subscription_id: str
    resource_group: str
    name: str

    def __post_init__(self) -> None:
        for part in (self.subscription_id, self.resource_group, self.name):
            if not part or "/" in part:
                raise BadRequest("invalid workspace identifier part {!r}: expected a non-empty name "
                                 "without '/'".format(part))

    def __str__(self) -> str:
        return "{}/{}/{}".format(self.subscription_id, self.resource_group, self.name)

    @classmethod
    def parse(cls, text: str) -> WorkspaceKey:
        parts = text.split("/")
        if len(parts) != 3:
            raise BadRequest("invalid workspace key {!r}: expected 'subscription/resource_group/name'"
                             .format(text))
        return cls(*parts)

    @classmethod
    def of(cls, workspace: Any) -> WorkspaceKey:
        """The key of an SDK ``Workspace`` (anything with its three naming attributes)."""
        return cls(workspace.subscription_id, workspace.resource_group, workspace.name)

    @property
    def scope(self) -> str:
        """The path that names this workspace in Azure ML's service URLs."""
        return ("/subscriptions/{}/resourceGroups/{}/providers/Microsoft.MachineLearningServices/workspaces/{}"
                .format(self.subscription_id, self.resource_group, self.name))

    @property
    def folder_name(self) -> str:
        """A single path segment naming this workspace (for folders under the home)."""
        return str(self).replace("/", "_")


def data_container_id(run_id: str) -> str:
    """The artifact container of a run's files (its ``dataContainerId``), as Azure names it."""
    return "dcid." + run_id


@dataclass(frozen=True)
class ArtifactId:
    """An artifact (or, with a path that is a folder, a prefix): ``origin/container/path``."""

    origin: str
    container: str
    path: str = ""

    def __post_init__(self) -> None:
        # Origin and container are one folder name each (`artifacts.backend.artifact_file`).
        if any(part in ("", ".", "..") or any(c in part for c in "/\\\0") for part in (self.origin, self.container)):
            raise BadRequest("invalid artifact id {!r}: expected 'origin/container/path'".format(str(self)))

    def __str__(self) -> str:
        return "/".join(part for part in (self.origin, self.container, self.path) if part)

    @classmethod
    def parse(cls, text: str) -> ArtifactId:
        parts = text.split("/", 2)
        if len(parts) < 2:
            raise BadRequest("invalid artifact id {!r}: expected 'origin/container/path'".format(text))
        return cls(*parts)

    @property
    def container_id(self) -> ArtifactId:
        return ArtifactId(self.origin, self.container)

    def child(self, relative_path: str) -> ArtifactId:
        """The artifact at ``relative_path`` inside this artifact's container."""
        return ArtifactId(self.origin, self.container, relative_path)


@dataclass(frozen=True)
class ModelId:
    """A registered model version: ``name:version``."""

    name: str
    version: int

    def __str__(self) -> str:
        return "{}:{}".format(self.name, self.version)

    @classmethod
    def parse(cls, text: str) -> ModelId:
        name, _, version = text.rpartition(":")
        if not name or not re.fullmatch(r"[0-9]{1,18}", version):   # a number SQLite can hold
            raise BadRequest("invalid model id {!r}: expected 'name:version' with a whole version number"
                             .format(text))
        return cls(name, int(version))
