"""pytest plugin (installed with the package): the `azureml_emulator` fixture,
and no service process left running when the test session ends."""
from __future__ import annotations

import os
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator

import pytest

from azureml_emulator.context import Emulator
from azureml_emulator.runtime import activation
from azureml_emulator.runtime.home import HOME_ENV_VAR
from azureml_emulator.tools import housekeeping


@pytest.fixture
def azureml_emulator(tmp_path: Path) -> Iterator[Emulator]:
    """An active emulator with a fresh home; its services and jobs are stopped afterwards."""
    with activation.emulate(home=tmp_path / "azureml-emulator-home") as emulator:
        yield emulator
    housekeeping.stop_all(emulator.home)


def pytest_sessionstart(session: Any) -> None:
    session.config._azureml_emulator_started = datetime.now(timezone.utc)


def pytest_sessionfinish(session: Any, exitstatus: int) -> None:
    """Stop the services and jobs started during this session (in this process, or by notebook
    kernels sharing $AZUREML_EMULATOR_HOME); older ones are left alone."""
    homes: set[Any] = set(activation.homes_used)
    if os.environ.get(HOME_ENV_VAR):
        homes.add(os.environ[HOME_ENV_VAR])
    started = getattr(session.config, "_azureml_emulator_started", None)
    for home in homes:
        housekeeping.stop_all(home, created_since=started)
