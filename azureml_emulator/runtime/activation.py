"""Turning the emulator on and off.

While active, the seams listed in `runtime.seams` are replaced; everything else is the
installed SDK's own code. When the last active block ends, every seam is restored and
the SDK can reach Azure again.
"""
from __future__ import annotations

import contextlib
import functools
import os
from pathlib import Path
from types import ModuleType
from typing import Any, Callable
from unittest import mock

from azureml_emulator import context
from azureml_emulator.context import Emulator
from azureml_emulator.pipelines import scheduler
from azureml_emulator.runtime.home import resolve_home
from azureml_emulator.store import Store

_applied: list[Any] = []     # the mock patchers in force
_waiting: list[Callable[[], None]] = []   # stop waiting for the modules of deferred seams
homes_used: set[Path] = set()  # every home activated in this process (for clean-up at exit)


ENVIRONMENT_MODES = ("build", "current")
ENVIRONMENTS_ENV_VAR = "AZUREML_EMULATOR_ENVIRONMENTS"


def _environments_mode(environments: str | None) -> str:
    mode = environments or os.environ.get(ENVIRONMENTS_ENV_VAR) or "build"
    if mode not in ENVIRONMENT_MODES:
        raise ValueError("environments={!r} (or ${}): expected 'build' (serve each deployment in a build of its "
                         "Environment, as Azure does) or 'current' (serve with this Python's packages)"
                         .format(mode, ENVIRONMENTS_ENV_VAR))
    if mode == "current":
        print("azureml_emulator: WARNING environments='current': deployments run with this kernel's Python and "
              "packages, not in builds of their Environments, so a missing or mismatched package will not fail "
              "here as it would on Azure.")
    return mode


def activate(home: str | os.PathLike | None = None, environments: str | None = None) -> Emulator:
    """Turn the emulator on for this process (nestable); returns the active emulator.
    ``environments``: "build" (default) or "current"; see `Emulator`."""
    from azureml_emulator.execution.after_import import when_imported
    from azureml_emulator.runtime.seams import deferred_seams, environment_seams, seams
    mode = _environments_mode(environments)
    resolved = resolve_home(home)
    emulator = Emulator(home=resolved, store=Store(resolved), environments=mode)
    if not context.is_active():
        _patch(seams())
        variables = mock.patch.dict(os.environ, environment_seams())
        variables.start()
        _applied.append(variables)
        for module_name, seams_of in deferred_seams():
            _waiting.append(when_imported(module_name, functools.partial(_patch_module, seams_of)))
    context.push(emulator)
    homes_used.add(emulator.home)
    scheduler.ensure_running(emulator.store)   # the home's Active pipeline schedules fire while it is active
    return emulator


def deactivate() -> None:
    emulator = context.pop()
    if not any(other.home == emulator.home for other in context.active()):
        scheduler.release(emulator.home)
    emulator.store.close()
    if not context.is_active():
        while _waiting:
            _waiting.pop()()
        while _applied:
            _applied.pop().stop()


def _patch_module(seams_of: Callable[[ModuleType], list[tuple[Any, str, Any]]], module: ModuleType) -> None:
    _patch(seams_of(module))


def _patch(replacements: list[tuple[Any, str, Any]]) -> None:
    for target, attribute, replacement in replacements:
        patcher = mock.patch.object(target, attribute, replacement)
        patcher.start()
        _applied.append(patcher)


class emulate(contextlib.ContextDecorator):
    """``with emulate(home=..., environments=...):`` or ``@emulate()``: the Azure ML SDK talks
    to the local emulator."""

    def __init__(self, home: str | os.PathLike | None = None, environments: str | None = None) -> None:
        self.home = home
        self.environments = environments

    def __enter__(self) -> Emulator:
        return activate(self.home, self.environments)

    def __exit__(self, *exc: Any) -> None:
        deactivate()
