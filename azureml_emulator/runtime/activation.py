"""Turning the emulator on and off.

While active, the seams listed in `runtime.seams` are replaced; everything else is the
installed SDK's own code. When the last active block ends, every seam is restored and
the SDK can reach Azure again.
"""
from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Any
from unittest import mock

from azureml_emulator.runtime import context
from azureml_emulator.runtime.context import Emulator
from azureml_emulator.runtime.home import resolve_home
from azureml_emulator.store import Store

_applied: list[Any] = []     # the mock patchers in force
homes_used: set[Path] = set()  # every home activated in this process (for clean-up at exit)


def activate(home: str | os.PathLike | None = None) -> Emulator:
    """Turn the emulator on for this process (nestable); returns the active emulator."""
    from azureml_emulator.runtime.seams import seams
    resolved = resolve_home(home)
    emulator = Emulator(home=resolved, store=Store(resolved))
    if not context.is_active():
        for target, attribute, replacement in seams():
            patcher = mock.patch.object(target, attribute, replacement)
            patcher.start()
            _applied.append(patcher)
    context.push(emulator)
    homes_used.add(emulator.home)
    return emulator


def deactivate() -> None:
    emulator = context.pop()
    emulator.store.close()
    if not context.is_active():
        while _applied:
            _applied.pop().stop()


class emulate(contextlib.ContextDecorator):
    """``with emulate(home=...):`` or ``@emulate()``: the Azure ML SDK talks to the local emulator."""

    def __init__(self, home: str | os.PathLike | None = None) -> None:
        self.home = home

    def __enter__(self) -> Emulator:
        return activate(self.home)

    def __exit__(self, *exc: Any) -> bool:
        deactivate()
        return False
