"""The web service state machine: a refresh reads the real process, and never brings
back a service that was deleted meanwhile."""
from azureml_emulator.execution.processes import ProcessRecord
from azureml_emulator.ids import WorkspaceKey
from azureml_emulator.webservices import backend, repository
from azureml_emulator.webservices.records import ServiceRecord

WS = WorkspaceKey("sub", "rg", "ws")
# A process that does not exist (PID 0 is never a user process).
GONE = ProcessRecord(pid=0, create_time=0.0, log="/nonexistent/service.log")


def stored_service(store, state="Healthy"):
    repository.save(store, ServiceRecord(WS, {"name": "ghost", "state": state, "computeType": "ACI"}, GONE))
    return repository.load(store, WS, "ghost")


def test_refresh_marks_a_dead_healthy_service_unhealthy(azureml_emulator):
    store = azureml_emulator.store
    backend.refresh(store, stored_service(store))
    service = repository.load(store, WS, "ghost")
    assert service.state == "Unhealthy"
    assert service.payload["error"]["code"] == "ServiceProcessExited"


def test_refresh_marks_a_transitioning_service_whose_server_exited_failed(azureml_emulator):
    store = azureml_emulator.store
    backend.refresh(store, stored_service(store, "Transitioning"))
    service = repository.load(store, WS, "ghost")
    assert service.state == "Failed"
    assert "exited before it was ready" in service.payload["error"]["message"]


def test_refresh_after_delete_does_not_resurrect(azureml_emulator):
    store = azureml_emulator.store
    stale = stored_service(store)
    assert backend.delete(store, WS, "ghost")
    backend.refresh(store, stale)   # a stale copy from before the delete
    assert repository.load(store, WS, "ghost") is None
    assert repository.list_in(store) == []
