"""What the emulator and a job's processes hand over, defined once for every side.

A job has three sides: the emulator starts the job's supervisor (`execution.job_supervisor`, or
a sweep's), which builds the Environment and starts the training script's process in it, which
runs `ENTRY_MODULE` (`execution.job_runtime`):

1. emulator -> supervisor: `JobSettings`, as JSON in the variable `SETTINGS`;
2. supervisor -> job process: the bridge's address (`BRIDGE`) and the secret it asks of every
   request (`SECRET`, sent in `SECRET_HEADER` with the host asked for in `HOST_HEADER`), and
   the file where a failing script's traceback goes (`ERROR_FILE`);
3. the emulator's code the job process sees: `ENTRY_MODULE` and the modules of this package it
   imports, copied beside the process (`execution.isolation.side_modules` reads them from the
   imports, so there is no list to keep).

The job's process imports this module in the Environment's Python (3.6 to 3.13): it imports
only the standard library and keeps to Python 3.6's syntax.
"""
import json
import os
from typing import Any, Dict, Mapping, NamedTuple, Optional

ENTRY_MODULE = "azureml_emulator.execution.job_runtime"   # what the job's process runs (python -m)

# emulator -> supervisor
SETTINGS = "AZUREML_EMULATOR_JOB"

# supervisor -> job process
BRIDGE = "AZUREML_EMULATOR_JOB_BRIDGE"          # http://127.0.0.1:<port>
SECRET = "AZUREML_EMULATOR_JOB_SECRET"          # the bridge answers only requests carrying it
ERROR_FILE = "AZUREML_EMULATOR_JOB_ERROR_FILE"  # where a failing script's traceback goes
HOST_HEADER = "X-AzureML-Emulator-Host"         # the emulator host a bridged request was for
SECRET_HEADER = "X-AzureML-Emulator-Secret"


class JobSettings(NamedTuple):
    """What a job's supervisor is started with."""

    home: str                                   # the emulator home
    workspace: str                              # `ids.WorkspaceKey`, as text
    run_id: str
    environments: str                           # "build" or "current" (`context.Emulator`)
    workdir: Optional[str] = None               # a local run's source directory (no snapshot)
    config: Optional[Dict[str, Any]] = None     # a sweep's configuration

    def to_env(self) -> str:
        return json.dumps(self._asdict())

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> "JobSettings":
        return cls(**json.loads(environ[SETTINGS]))
