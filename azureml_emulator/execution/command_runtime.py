"""What every Python process a command job starts does first, so ``Run.get_context()`` in it
is the job's run, as in any process of a job on Azure.

A command job (a `CommandStep`, or ``ScriptRunConfig(command=...)``) runs its command in a
shell, not through `job_runtime`; the Python processes the command starts find this package's
``sitecustomize`` (`job_command.site_folder` puts it first on their ``PYTHONPATH``), which calls
`install`: once the process imports `requests` or ``urllib.request``, their calls for the
emulator's hosts go to the job's bridge and every other one is refused (`job_runtime`'s
routing, applied when the module is imported so a process that never uses them pays nothing),
and at exit the SDK's queued metrics are sent (as `job_runtime` sends a script's). A process started outside a job (no bridge in
its environment) is left as it is.

Runs in the job's Environment: standard library only, Python 3.6's syntax.
"""
import atexit
import os
import sys
import threading
from types import ModuleType

from azureml_emulator.execution.after_import import when_imported
from azureml_emulator.execution.job_contract import BRIDGE


def _runtime() -> ModuleType:
    """`job_runtime`, imported only once the process needs it (every Python start pays for this module)."""
    from azureml_emulator.execution import job_runtime
    return job_runtime


def _flush_at_exit() -> None:
    try:
        _runtime().flush_run()
    except Exception as error:   # the process's own result stands; say what was lost
        print("azureml_emulator: sending the run's queued metrics failed: {}".format(error), file=sys.stderr)


def _flush_before_shutdown(_module: ModuleType) -> None:
    """Send the SDK's queued metrics when the process ends, before its thread pools stop (from
    Python 3.9 they stop in `threading`'s exit hooks, which run before `atexit`'s; registered once
    the SDK, and the pools it imports, are imported, so it runs before theirs)."""
    register = getattr(threading, "_register_atexit", None) or atexit.register
    register(_flush_at_exit)


def install() -> None:
    """Route this process's requests to the job's bridge when it has one."""
    if not os.environ.get(BRIDGE):
        return
    when_imported("requests", lambda _module: _runtime().route_requests_to_bridge())
    when_imported("urllib.request", lambda module: _runtime().route_urlopen_to_bridge(module))
    when_imported("azureml.mlflow", lambda _module: _runtime().mlflow_downloads_from_the_emulator())
    when_imported("azureml.core", _flush_before_shutdown)
