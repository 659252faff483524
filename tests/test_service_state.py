"""Stored service state: a refresh never brings back a service deleted meanwhile."""
from azureml_emulator.webservices import api as api_services
from azureml_emulator.runtime.context import current

WS = "sub/rg/ws"


def stored_service(state="Healthy"):
    # A service whose recorded process does not exist (PID 0 is never a user process).
    service = {"name": "ghost", "state": state, "computeType": "ACI"}
    proc = {"pid": 0, "create_time": 0.0, "log": "/nonexistent/service.log"}
    api_services._save(WS, service, proc)
    return api_services.load(WS, "ghost")


def test_refresh_marks_a_dead_healthy_service_unhealthy(azureml_emulator):
    service, proc = stored_service()
    api_services.refresh(WS, service, proc)
    assert api_services.load(WS, "ghost")[0]["state"] == "Unhealthy"


def test_refresh_after_delete_does_not_resurrect(azureml_emulator):
    service, proc = stored_service()
    assert api_services.remove(WS, "ghost")
    api_services.refresh(WS, service, proc)   # a stale copy from before the delete
    assert api_services.load(WS, "ghost") == (None, None)
    assert current().store.query("SELECT COUNT(*) AS n FROM services")[0]["n"] == 0
