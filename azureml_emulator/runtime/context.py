"""The emulator that is active in this process, if any."""
from dataclasses import dataclass
from pathlib import Path

from azureml_emulator.store.database import Store


@dataclass
class Emulator:
    home: Path
    store: Store

    @property
    def artifacts_dir(self) -> Path:
        return self.home / "artifacts"

    @property
    def services_dir(self) -> Path:
        return self.home / "services"


_active = []   # a stack, so nested emulate() blocks restore the outer one


def current() -> Emulator:
    if not _active:
        raise RuntimeError("azureml_emulator is not active: use `with azureml_emulator.emulate(): ...`")
    return _active[-1]


def push(emulator: Emulator):
    _active.append(emulator)


def pop() -> Emulator:
    return _active.pop()


def is_active() -> bool:
    return bool(_active)
