"""The one guard for every path a client names inside one of the emulator's folders.

Blob names, file-share paths, artifact paths, snapshot file names, datastore paths of
datasets, data references and outputs, and model files all come from a client and are
stored as files under the emulator home. Each goes through `inside` (or `resolve`, for
the name alone), which reads it as Azure's services read a path in a URL:

* ``\\`` is a separator, as ``/`` is (Azure Storage turns ``\\`` in a blob name into ``/``);
* empty and ``.`` segments are dropped, and ``..`` removes the segment before it, as a URL's
  dot segments are removed (RFC 3986), so ``outputs/../x`` is ``x``;
* a NUL byte, an absolute path, a ``..`` with nothing left to remove (the path would leave
  its root), a path that names the root itself (unless the caller allows it) and a path that
  leaves the root through a symbolic link are refused.

A refusal is the calling service's own error: the caller passes `Refusal`, which makes it
from the path as given and the `Why`, so Blob Storage answers Storage's XML error, the
artifact service its JSON one, and the SDK seams the SDK's exception.
"""
from __future__ import annotations

import enum
import os
from pathlib import Path
from typing import Callable


class Why(enum.Enum):
    """Why a path was refused; its value says it in words, after the path."""

    NOT_TEXT = "is not a text path"
    NUL = "contains a NUL byte"
    ABSOLUTE = "is absolute: expected a path relative to its folder"
    OUTSIDE = "leaves its folder: expected a relative path inside it"
    ROOT = "names no file or folder inside its folder"
    SYMLINK = "leaves its folder through a symbolic link"


Refusal = Callable[[str, Why], Exception]
"""Makes the calling service's error from the path as given and why it was refused."""


def resolve(relative: object, refuse: Refusal, allow_root: bool = False) -> str:
    """``relative`` with its separators and dot segments resolved (``a/b``, or ``""`` for the
    root itself when ``allow_root``); raises ``refuse(relative, why)`` otherwise."""
    if not isinstance(relative, str):
        raise refuse(repr(relative), Why.NOT_TEXT)
    if "\0" in relative:
        raise refuse(relative, Why.NUL)
    text = relative.replace("\\", "/")
    if text.startswith("/"):
        raise refuse(relative, Why.ABSOLUTE)
    segments: list[str] = []
    for segment in text.split("/"):
        if segment == "..":
            if not segments:
                raise refuse(relative, Why.OUTSIDE)
            segments.pop()
        elif segment not in ("", "."):
            segments.append(segment)
    if not segments and not allow_root:
        raise refuse(relative, Why.ROOT)
    return "/".join(segments)


def inside(root: Path, relative: object, refuse: Refusal, allow_root: bool = False) -> Path:
    """Where ``relative`` is inside the folder ``root``: the real (symlink-free) root joined
    with the resolved path, which must not leave the real root through a symbolic link either."""
    real_root = Path(os.path.realpath(root))
    resolved = resolve(relative, refuse, allow_root)
    target = real_root.joinpath(*resolved.split("/")) if resolved else real_root
    real_target = os.path.realpath(target)
    if real_target != str(real_root) and not real_target.startswith(str(real_root).rstrip(os.sep) + os.sep):
        raise refuse(str(relative), Why.SYMLINK)
    return target
