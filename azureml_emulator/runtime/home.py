"""Where the emulator keeps its state: one folder, the emulator's 'home'."""
from __future__ import annotations

import os
from pathlib import Path

HOME_ENV_VAR = "AZUREML_EMULATOR_HOME"


def default_home() -> Path:
    """The per-user home used when neither an argument nor the env var names one."""
    data_root = os.environ.get("XDG_DATA_HOME") or os.path.join(Path.home(), ".local", "share")
    return Path(data_root) / "azureml-emulator"


def resolve_home(home: str | os.PathLike | None = None) -> Path:
    """An explicit ``home`` wins, then $AZUREML_EMULATOR_HOME, then the per-user folder."""
    chosen = home or os.environ.get(HOME_ENV_VAR) or default_home()
    path = Path(chosen).expanduser().resolve()
    path.mkdir(mode=0o700, parents=True, exist_ok=True)   # its owner's only (`store.private`)
    return path
