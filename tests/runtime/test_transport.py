"""The transport fails closed: only the emulator's host (answered in-process) and
loopback requests to the ports of this home's services get through; every other
hostname, address or loopback port is refused before any socket is opened. Checked against a recording stand-in for the real send, so no test here can
send anything off the machine even if the transport were broken."""
import json
import urllib.error

import pytest
import requests

from azureml_emulator.addresses import EMULATOR_BASE_URL
from azureml_emulator.execution.processes import ProcessRecord
from azureml_emulator.ids import WorkspaceKey
from azureml_emulator.runtime.transport import BlockedRequestError, make_send, make_urlopen
from azureml_emulator.webservices import repository
from azureml_emulator.webservices.records import ServiceRecord

SERVICE_PORT = 5001   # the port of a service recorded in the fixture's home


@pytest.fixture(autouse=True)
def home_with_a_service(azureml_emulator):
    record = ServiceRecord(WorkspaceKey("s", "r", "w"), {"name": "svc", "state": "Healthy"},
                           ProcessRecord(pid=0, create_time=0.0, port=SERVICE_PORT))
    repository.save(azureml_emulator.store, record)


@pytest.fixture
def sent():
    return []


@pytest.fixture
def send(sent):
    def record(adapter, request, **kwargs):
        sent.append(request.url)
        return "sent"
    return make_send(record)


def prepared(url, method="GET"):
    return requests.Request(method, url).prepare()


@pytest.mark.parametrize("url", [
    "https://management.azure.com/subscriptions",
    "https://login.microsoftonline.com/common/oauth2/token",
    "https://eastus.api.azureml.ms/history/v1.0/x",
    "http://localhost.example.com/score",
    "http://127.0.0.1.nip.io/score",
    "http://10.0.0.1:5001/score",
    "http://192.168.1.10/score",
    "http://0.0.0.0:8080/score",
    "http://[2001:db8::1]:8080/score",
    "http://[::ffff:10.0.0.1]/score",
    "http://127.0.0.1:5002/score",
    "http://localhost/score",
    "https://127.0.0.1/score",
    "http://[::1]:6006/",
])
def test_other_hosts_and_addresses_are_refused_before_sending(send, sent, url):
    with pytest.raises(BlockedRequestError, match="azureml_emulator is active, so this request was not sent"):
        send(None, prepared(url))
    assert sent == []


@pytest.mark.parametrize("url", [
    "http://127.0.0.1:5001/score",
    "http://127.8.9.10:5001/score",
    "http://localhost:5001/score",
    "http://[::1]:5001/score",
])
def test_loopback_goes_through(send, sent, url):
    assert send(None, prepared(url)) == "sent"
    assert sent == [url]


def test_the_emulator_host_is_answered_in_process(send, sent):
    response = send(None, prepared(EMULATOR_BASE_URL + "/discovery"))
    assert sent == []
    assert response.status_code == 200
    assert set(response.json().values()) == {EMULATOR_BASE_URL}


def test_a_blocked_request_is_a_requests_connection_error():
    """Code that handles `requests` failures sees a ConnectionError it already knows."""
    with pytest.raises(requests.ConnectionError):
        requests.get("https://management.azure.com/subscriptions", timeout=5)


@pytest.mark.parametrize("url", [
    "https://management.azureml-emulator.invalid/subscriptions/s/providers/Microsoft.MachineLearningServices/"
    "locations/local/computeOperationsStatus/x",
    "https://account.blob.azureml-emulator.invalid/container/missing.txt",
])
def test_the_resource_manager_and_blob_hosts_are_answered_in_process(send, sent, url):
    response = send(None, prepared(url))
    assert sent == [] and response.status_code in (200, 404)
    assert response.raw is not None   # azure-core's transport configures the raw stream


@pytest.mark.parametrize("url", ["https://a.b.blob.azureml-emulator.invalid/c/d", "https://evil.azureml-emulator.invalid/"])
def test_other_names_under_the_emulator_domain_are_refused(send, sent, url):
    with pytest.raises(BlockedRequestError):
        send(None, prepared(url))
    assert sent == []


@pytest.fixture
def urlopen():
    opened = []
    return make_urlopen(lambda url, data=None, *args, **kwargs: opened.append(url) or "opened"), opened


def test_urlopen_answers_the_emulator_host_in_process(urlopen):
    open_, opened = urlopen
    with open_(EMULATOR_BASE_URL + "/discovery") as answer:
        assert json.loads(answer.read())["history"] == EMULATOR_BASE_URL
    assert opened == []
    with pytest.raises(urllib.error.HTTPError) as refused:
        open_(EMULATOR_BASE_URL + "/no/such/route")
    assert refused.value.code == 501


def test_urlopen_refuses_as_requests_does_and_lets_this_homes_services_through(urlopen):
    open_, opened = urlopen
    with pytest.raises(urllib.error.URLError, match="azureml_emulator is active, so this request was not sent"):
        open_("https://dc.services.visualstudio.com/v2/track")
    assert open_("http://127.0.0.1:5001/score") == "opened" and opened == ["http://127.0.0.1:5001/score"]
    with pytest.raises(urllib.error.URLError, match="No service of this emulator"):
        open_("http://127.0.0.1:5002/score")   # loopback, but not one of this home's services
    assert opened == ["http://127.0.0.1:5001/score"]
