"""The emulator that is active in this process, if any."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from azureml_emulator.store import Store


@dataclass
class Emulator:
    """One emulator home and its open store, and how deployments get their environment:
    "build" (a build of the registered Environment) or "current" (this kernel's Python)."""

    home: Path
    store: Store
    environments: str = "build"


_active: list[Emulator] = []   # a stack, so nested emulate() blocks restore the outer one


def current() -> Emulator:
    if not _active:
        raise RuntimeError("azureml_emulator is not active: use `with azureml_emulator.emulate(): ...`")
    return _active[-1]


def push(emulator: Emulator) -> None:
    _active.append(emulator)


def pop() -> Emulator:
    return _active.pop()


def active() -> list[Emulator]:
    """The emulators active in this process, outermost first."""
    return list(_active)


def is_active() -> bool:
    return bool(_active)
