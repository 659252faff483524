"""What the emulator and a service's processes hand over, defined once for every side.

A deployment starts, through `LAUNCHER`, the service's container (`SUPERVISOR`, in the
emulator's Python), which starts the service process (`SERVICE_PROCESS`, in the build's
Python), which serves `APP_MODULE`'s app under gunicorn:

1. the service learns its deployment from environment variables: Azure's own (what the
   inference server and `score.py` read in an Azure container) and the emulator's (how it is
   served and limited, `ServiceSpec`; its keys);
2. it writes back to files the deployer names: its exit code (`EXIT_CODE_FILE`) and what its
   container saw (`STATUS_FILE`);
3. the emulator's code those processes see: `ENTRY_MODULES` and the modules of this package
   they import, copied beside the deployment (`execution.isolation.side_modules` reads them
   from the imports, so there is no list to keep).

The service process imports this module first, in the build's Python (3.6 to 3.13): it
imports only the standard library and keeps to Python 3.6's syntax.
"""
import json
import os
import urllib.request
from typing import List, Mapping, NamedTuple, Optional, Sequence

# The processes of a service, each run as ``python -m <module>``.
LAUNCHER = "azureml_emulator.execution.launch"                # `processes.spawn` detaches every process with it
SUPERVISOR = "azureml_emulator.execution.supervisor"          # the container, in the emulator's Python
SERVICE_PROCESS = "azureml_emulator.execution.service_process"  # the server, in the build's Python
APP_MODULE = "azureml_emulator.execution.service_app"         # its WSGI ``app``, which gunicorn imports
IN_BUILD = (SERVICE_PROCESS, APP_MODULE)                      # what runs in the build's Python (3.6 and later)
ENTRY_MODULES = (LAUNCHER, SUPERVISOR) + IN_BUILD

# Azure's variables, set as an Azure ML inference container sets them.
MODEL_DIR = "AZUREML_MODEL_DIR"
ENTRY_SCRIPT = "AZUREML_ENTRY_SCRIPT"
APP_ROOT = "AML_APP_ROOT"
SERVICE_NAME = "SERVICE_NAME"
WORKSPACE_NAME = "WORKSPACE_NAME"
WORKER_COUNT = "WORKER_COUNT"
WORKER_TIMEOUT = "WORKER_TIMEOUT"

# The emulator's own variables.
SERVICE_SPEC = "AZUREML_EMULATOR_SERVICE_SPEC"
SERVICE_KEYS = "AZUREML_EMULATOR_SERVICE_KEYS"
EXIT_CODE_FILE = "AZUREML_EMULATOR_EXIT_CODE_FILE"
STATUS_FILE = "AZUREML_EMULATOR_STATUS_FILE"          # what the supervisor saw: restarts, OOM kills
# ACI's front end cuts a scoring request off after 60 s; tests shorten it with this variable.
SCORING_TIMEOUT = "AZUREML_EMULATOR_SCORING_TIMEOUT_SECONDS"
DEFAULT_SCORING_TIMEOUT_SECONDS = 60.0
MAX_BODY_BYTES = 100 * 1024 * 1024                      # nginx's client_max_body_size 100m in ACI


class ServiceSpec(NamedTuple):
    """How one service process is served and limited."""

    port: int
    memory_bytes: Optional[int] = None
    cpus: Sequence[int] = ()

    def to_env(self) -> str:
        return json.dumps(self._asdict())

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> "ServiceSpec":
        return cls(**json.loads(environ[SERVICE_SPEC]))


def encode_keys(keys: List[str]) -> str:
    return ",".join(keys)


def decode_keys(environ: Mapping[str, str] = os.environ) -> List[str]:
    return [key for key in environ.get(SERVICE_KEYS, "").split(",") if key]


def answers_liveness(port: int, keys: List[str]) -> bool:
    """The server on ``port`` answers its liveness route, i.e. init() has finished."""
    request = urllib.request.Request("http://127.0.0.1:{}/".format(port))
    if keys:
        request.add_header("Authorization", "Bearer " + keys[0])
    try:
        with urllib.request.urlopen(request, timeout=2) as answer:
            return answer.status == 200
    except OSError:
        return False


def record_exit(code: int, environ: Mapping[str, str] = os.environ) -> None:
    """Write how a service ended where its deployer, which is not its parent, reads it."""
    with open(environ[EXIT_CODE_FILE], "w") as record:
        record.write(str(code))
