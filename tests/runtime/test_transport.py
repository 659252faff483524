"""The transport fails closed: only the emulator's host (answered in-process) and
loopback requests to the ports of this home's services get through; every other
hostname, address or loopback port is refused before any socket is opened. Checked against a recording stand-in for the real send, so no test here can
send anything off the machine even if the transport were broken."""
import io
import json
import urllib.error
import urllib.request

import pytest
import requests

from azureml_emulator.addresses import EMULATOR_BASE_URL
from azureml_emulator.ids import WorkspaceKey
from azureml_emulator.processes import ProcessRecord
from azureml_emulator.runtime.transport import BlockedRequestError, is_loopback, make_send, make_urlopen
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


@pytest.fixture
def urlopen_calls():
    """urlopen over a stand-in that records all its arguments."""
    calls = []
    return make_urlopen(lambda *args, **kwargs: calls.append((args, kwargs)) or "opened"), calls


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


BLOB = "https://account.blob.azureml-emulator.invalid/bodies/"
# A blob write carries a credential, as the SDK's storage client sends one (a Shared Key here).
WRITE_HEADERS = {"x-ms-blob-type": "BlockBlob", "Authorization": "SharedKey account:c2lnbmVk"}


@pytest.mark.parametrize("make_body, stored", [
    (lambda: b"\x00bytes\xff", b"\x00bytes\xff"),
    (lambda: "text: caf\u00e9", "text: caf\u00e9".encode("utf-8")),
    (lambda: io.BytesIO(b"a file's bytes"), b"a file's bytes"),
    (lambda: io.StringIO("a text file: \u00e9"), "a text file: \u00e9".encode("utf-8")),
    (lambda: (chunk for chunk in [b"bytes chunk, ", "text chunk"]), b"bytes chunk, text chunk"),
], ids=["bytes", "str", "binary-file", "text-file", "chunks"])
def test_every_kind_of_body_requests_sends_reaches_the_emulator_whole(send, make_body, stored):
    """bytes, str (as UTF-8), binary and text files, and generators of chunks, as the SDK's clients send them."""
    body = make_body()
    name = BLOB + "blob-{}".format(type(body).__name__)
    put = send(None, requests.Request("PUT", name, data=body, headers=WRITE_HEADERS).prepare())
    assert put.status_code == 201, put.text
    assert send(None, prepared(name)).content == stored


def test_an_in_process_answer_is_a_complete_requests_response(send):
    request = prepared(EMULATOR_BASE_URL + "/no/such/route")
    response = send(None, request)
    assert (response.status_code, response.url, response.request) == (501, request.url, request)
    assert response.reason.startswith("not emulated by azureml_emulator")   # the message, in the status line
    assert response.headers["content-type"] == "application/json" and response.encoding == "utf-8"
    assert response.raw.read() == response.content and response.raw.status == 501
    assert response.json()["error"]["code"] == "NotEmulated"

    missing = send(None, prepared(BLOB + "never-written"))
    assert (missing.status_code, missing.reason) == (404, "The specified blob does not exist.")
    found = send(None, prepared(EMULATOR_BASE_URL + "/discovery"))
    assert (found.status_code, found.reason) == (200, "OK")   # the standard phrase when the reply has none


def test_a_loopback_request_without_a_port_uses_the_schemes_port(azureml_emulator, send, sent, urlopen):
    """http://127.0.0.1/ is port 80 and https://localhost/ port 443: let through when a service listens there."""
    for port in (80, 443):
        record = ServiceRecord(WorkspaceKey("s", "r", "w"), {"name": "svc{}".format(port), "state": "Healthy"},
                               ProcessRecord(pid=0, create_time=0.0, port=port))
        repository.save(azureml_emulator.store, record)
    assert send(None, prepared("http://127.0.0.1/score")) == "sent"
    assert send(None, prepared("https://localhost/score")) == "sent"
    assert sent == ["http://127.0.0.1/score", "https://localhost/score"]
    with pytest.raises(urllib.error.URLError, match="No service of this emulator"):
        urlopen[0]("http://127.0.0.1:99999/score")   # no valid port at all: refused, not a crash


@pytest.mark.parametrize("host, loopback", [
    ("localhost", True), ("127.0.0.1", True), ("127.255.0.3", True), ("::1", True),
    ("LOCALHOST.", False), ("", False), (None, False), ("0.0.0.0", False), ("::", False), ("128.0.0.1", False),
    ("not a host", False),
])
def test_what_counts_as_loopback(host, loopback):
    assert is_loopback(host) is loopback


def test_refusals_name_the_request_and_why(azureml_emulator, send):
    with pytest.raises(BlockedRequestError) as elsewhere:
        send(None, prepared("https://example.com/x", "DELETE"))
    assert str(elsewhere.value) == (
        "azureml_emulator is active, so this request was not sent: DELETE https://example.com/x. The emulator "
        "answers Azure ML workspace calls itself and lets only loopback requests to its own services through; "
        "this call is to a feature it does not emulate.")
    with pytest.raises(BlockedRequestError) as other_port:
        send(None, prepared("http://127.0.0.1:5002/score", "POST"))
    assert str(other_port.value) == (
        "azureml_emulator is active, so this request was not sent: POST http://127.0.0.1:5002/score. No service "
        "of this emulator (home: {}) listens on that port; the emulator lets through only loopback requests to "
        "its own services.".format(azureml_emulator.store.home))
    assert other_port.value.request.url == "http://127.0.0.1:5002/score"


def test_urlopen_sends_a_request_object_and_its_data_as_given(urlopen):
    open_, opened = urlopen
    request = urllib.request.Request("http://127.0.0.1:5001/score", data=b"{}", method="POST")
    assert open_(request) == "opened" and opened == [request]
    with pytest.raises(urllib.error.URLError, match="POST http://127.0.0.1:5002/score"):
        open_(urllib.request.Request("http://127.0.0.1:5002/score", data=b"{}"))


def test_urlopen_answers_with_the_emulators_status_body_and_url(urlopen):
    open_, _ = urlopen
    put = urllib.request.Request(BLOB + "by-urlopen", data=b"written by urlopen", method="PUT", headers=WRITE_HEADERS)
    open_(put)
    with open_(BLOB + "by-urlopen") as answer:
        assert (answer.status, answer.url, answer.read()) == (200, BLOB + "by-urlopen", b"written by urlopen")
    with pytest.raises(urllib.error.HTTPError) as missing:
        open_(BLOB + "never-written")
    assert (missing.value.code, missing.value.reason) == (404, "The specified blob does not exist.")
    assert missing.value.url == BLOB + "never-written" and missing.value.headers.get("x-ms-version") is None
    assert b"BlobNotFound" in missing.value.read()
    with pytest.raises(urllib.error.HTTPError) as bad:
        open_(urllib.request.Request(EMULATOR_BASE_URL + "/modelmanagement/v1.0/subscriptions/s/resourceGroups/r/"
                                     "providers/Microsoft.MachineLearningServices/workspaces/w/models?count=ten"))
    assert bad.value.code == 400   # a 400 is an error too
    with open_(EMULATOR_BASE_URL + "/discovery") as answer:
        assert answer.headers.get("content-type") is None and answer.status == 200
    with pytest.raises(urllib.error.HTTPError) as not_emulated:
        open_(EMULATOR_BASE_URL + "/no/such/route")
    assert not_emulated.value.reason.startswith("not emulated by azureml_emulator")
    with pytest.raises(urllib.error.HTTPError) as plain:
        open_(urllib.request.Request(EMULATOR_BASE_URL + "/discovery", method="DELETE"))
    assert (plain.value.code, plain.value.reason) == (405, "Method Not Allowed")   # the standard phrase


def test_urlopen_passes_every_argument_on_for_a_request_it_lets_through(urlopen_calls):
    open_, calls = urlopen_calls
    assert open_("http://127.0.0.1:5001/score", b"{}", 7, context=None) == "opened"
    assert calls == [(("http://127.0.0.1:5001/score", b"{}", 7), {"context": None})]
    with pytest.raises(urllib.error.URLError, match="POST http://127.0.0.1:5002/score"):
        open_("http://127.0.0.1:5002/score", b"{}")   # data makes it a POST, as urllib sends it


def test_a_url_with_data_sends_the_data_to_the_emulator(urlopen):
    open_, _ = urlopen
    with pytest.raises(urllib.error.HTTPError) as refused:
        open_(EMULATOR_BASE_URL + "/modelmanagement/v1.0/subscriptions/s/resourceGroups/r/providers/"
              "Microsoft.MachineLearningServices/workspaces/w/models", b"[1, 2]")
    assert refused.value.read().decode().count("The request body is a JSON list: expected a JSON object.") == 2


def test_a_request_let_through_goes_to_the_real_send_with_its_adapter_and_options():
    calls = []
    send = make_send(lambda adapter, request, **kwargs: calls.append((adapter, request.url, kwargs)) or "sent")
    assert send("the adapter", prepared("http://127.0.0.1:5001/score"), timeout=5, verify=False) == "sent"
    assert calls == [("the adapter", "http://127.0.0.1:5001/score", {"timeout": 5, "verify": False})]
