"""The deployment progress the SDK prints with ``wait_for_deployment(show_output=True)``:
its streaming format, ``time|message`` entries joined by ``#``, growing with the state."""
from __future__ import annotations

from datetime import datetime, timezone

from azureml_emulator.webservices.records import HEALTHY, TRANSITIONING

STEPS = ("Starting the inference server (azureml-inference-server-http) on 127.0.0.1",
         "Running init() of the entry script")


def _entry(message: str) -> str:
    return datetime.now(timezone.utc).strftime("%Y%m%d%H%M%S") + "|" + message


def progress_log(state: str, notes: list[str] | tuple[str, ...] = ()) -> str:
    """The log for a deployment in ``state``; ``notes`` (the environment build's lines) come first."""
    steps = list(notes) + list(STEPS)
    if state == HEALTHY:
        steps.append("Liveness probe answered: service is Healthy")
    elif state != TRANSITIONING:
        steps.append("Deployment failed: see service.get_logs()")
    return "#".join(_entry(step) for step in steps)
