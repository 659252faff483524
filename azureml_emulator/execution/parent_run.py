"""What the supervisors of runs with children (a HyperDrive sweep, a pipeline) share: SIGTERM
stops them, their children end with them, and the parent run says how it ended."""
from __future__ import annotations

import signal
import sys
import traceback
from typing import Callable, Protocol

from azureml_emulator import processes
from azureml_emulator.execution.job_contract import JobSettings
from azureml_emulator.ids import WorkspaceKey
from azureml_emulator.runs import backend as runs
from azureml_emulator.store import Store


class Stopped(Exception):
    """SIGTERM: the parent run is being stopped (reset, stop_all, the process group's end)."""


class Parent(Protocol):
    def main(self) -> None: ...

    def cancel_children(self) -> None: ...


def _stop(*_args: object) -> None:
    raise Stopped()


def supervise(kind: str, make: Callable[[JobSettings], Parent]) -> None:
    """Run the parent ``make`` builds from this process's settings. Stopped, its children are
    canceled and the run is Canceled (exit 143); a bug ends the children and fails the run with
    the reason, naming the ``kind`` of supervisor (exit 1)."""
    processes.become_subreaper()
    signal.signal(signal.SIGTERM, _stop)
    settings = JobSettings.from_env()
    parent = None
    try:
        parent = make(settings)
        parent.main()
    except BaseException as error:   # stopped, or a bug: the children end too, and the parent says why
        if parent is not None:
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            parent.cancel_children()
        store, workspace = Store(settings.home, check=False), WorkspaceKey.parse(settings.workspace)
        if isinstance(error, Stopped):
            runs.set_status(store, workspace, settings.run_id, "Canceled")
            sys.exit(143)
        traceback.print_exc()
        runs.set_status(store, workspace, settings.run_id, "Failed", runs.run_error(
            "ServiceError", "azureml_emulator {} supervisor failed: {}: {}".format(kind, type(error).__name__, error)))
        sys.exit(1)
