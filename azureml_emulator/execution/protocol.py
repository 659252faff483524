"""What the emulator and the processes it starts tell each other, defined once for both sides.

A service process learns its deployment from environment variables: Azure's own
(what the inference server and `score.py` read in an Azure container) and the emulator's
(the limits, the keys and where to record its exit code). This module imports only the
standard library, because service processes import it first.
"""
import json
import os
import urllib.request
from typing import List, Mapping, NamedTuple, Optional, Sequence

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
