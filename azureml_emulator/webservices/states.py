"""The web service state machine, as Azure's: a deployment is ``Transitioning`` until its
server answers (``Healthy``) or exits (``Failed``); a ``Healthy`` service whose server has
died turns ``Unhealthy``. The stored state is brought up to date from the real process
whenever a service is read (`refresh`), so every reader, the SDK or the CLI, sees the live
state."""
from __future__ import annotations

import re
import time

from azureml_emulator import processes
from azureml_emulator.ids import WorkspaceKey
from azureml_emulator.store import Store
from azureml_emulator.timestamps import utc_now_iso
from azureml_emulator.webservices import deployment, repository
from azureml_emulator.webservices.records import (FAILED, HEALTHY, TERMINAL_STATES, TRANSITIONING, UNHEALTHY,
                                                  ServiceRecord)

# A Python exception line of a traceback, and the server's own ones that only say it stopped.
EXCEPTION_LINE = re.compile(r"^[A-Za-z_][\w.]*(Error|Exception|Exit|Interrupt)(: .*)?$")
SERVER_EXCEPTIONS = ("gunicorn.", "SystemExit", "HaltServer", "azureml_inference_server_http.")


def entry_script_error(log: str) -> str | None:
    """The last exception the service's own code raised, as the log shows it."""
    raised = [line.strip() for line in log.splitlines()
              if EXCEPTION_LINE.match(line.strip()) and not line.strip().startswith(SERVER_EXCEPTIONS)]
    return raised[-1] if raised else None


def failure(service: ServiceRecord, summary: str) -> ServiceRecord:
    """Failed, in Azure's words (an AciDeploymentFailed with CrashLoopBackOff), followed by
    what the emulator saw and the end of the log."""
    log = service.process.log if service.process else None
    tail = deployment.log_tail(service.process)
    cause = entry_script_error(deployment.log_tail(service.process, 400)) or summary
    aci = service.compute_type == "ACI"
    message = ("{}Error in entry script, {}, please run print(service.get_logs()) to get details.\n{}\n"
               "Last lines of the service log ({}):\n{}\nCall service.get_logs() for the full log.".format(
                   "Aci Deployment failed with exception: " if aci else "", cause, summary, log, tail))
    return service.with_payload(state=FAILED, error={
        "code": "AciDeploymentFailed" if aci else "DeploymentFailed", "statusCode": 400, "message": message,
        "details": [{"code": "CrashLoopBackOff", "message": "Your container application crashed. This may be "
                     "caused by errors in your scoring file's init() function."}]})


def refresh(store: Store, service: ServiceRecord) -> ServiceRecord:
    """Bring the stored state up to date with the real process; returns the service."""
    before, process = service.state, service.process
    if before == TRANSITIONING:
        if process is not None and deployment.is_ready(service.payload, process):
            service = service.with_payload(state=HEALTHY)
        elif not processes.is_alive(process):
            code = processes.exit_code(process)
            how = " with exit code {}".format(code) if code is not None else ""
            status = deployment.container_status(process)
            why = " {}: {}.".format(status["state"], status["reason"]) if status.get("reason") else ""
            service = failure(service, "The inference server for service '{}' exited{} before it was ready "
                                        "(init() failed, or the entry script could not be loaded).{}"
                               .format(service.name, how, why))
    elif before == HEALTHY and not processes.is_alive(process):
        service = service.with_payload(state=UNHEALTHY, error={
            "code": "ServiceProcessExited",
            "message": "The inference server process of service '{}' has stopped. Its log is {}".format(
                service.name, process.log if process else None)})
    if service.state != before:
        service = service.with_payload(updatedTime=utc_now_iso())
        repository.save_state(store, service)
    return service


def settle(store: Store, workspace: WorkspaceKey, name: str, wait_seconds: float) -> ServiceRecord | None:
    """Refresh until the deployment leaves Transitioning or the wait is over (None: no such service)."""
    deadline = time.monotonic() + wait_seconds
    while True:
        service = repository.load(store, workspace, name)
        if service is None:
            return None
        service = refresh(store, service)
        if service.state in TERMINAL_STATES or time.monotonic() >= deadline:
            return service
        time.sleep(0.2)
