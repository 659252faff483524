"""The router: routes tried in their documented order, 405 for a known path asked with
another method, 501 naming the SDK operation nobody emulates, and every request,
however malformed, answered with an HTTP error rather than a Python exception."""
import pytest
import requests
from azureml.core import Datastore, Environment, Experiment

from azureml_emulator.addresses import ARM_BASE_URL, BLOB, EMULATOR_BASE_URL, blob_base_url
from azureml_emulator.context import Emulator
from azureml_emulator.errors import Conflict
from azureml_emulator.rest.reply import Reply
from azureml_emulator.rest.router import Route, Router
from azureml_emulator.store import Store

SCOPE = ("/subscriptions/sub/resourceGroups/rg/providers/Microsoft.MachineLearningServices"
         "/workspaces/ws")
MMS = EMULATOR_BASE_URL + "/modelmanagement/v1.0" + SCOPE


@pytest.fixture
def store(tmp_path):
    """An emulator home the router's requests carry (not activated: no SDK seam is patched)."""
    opened = Emulator(home=tmp_path, store=Store(tmp_path))
    yield opened
    opened.store.close()


def answer(text):
    return lambda request: Reply(200, {"answer": text, "params": request.params})


def test_the_first_matching_route_in_table_order_answers(store):
    router = Router([
        [Route("GET", "/things/special", answer("special")), Route("GET", "/things/{name}", answer("any"))],
        [Route("GET", "/things/{name}", answer("second table"))],
    ])
    assert router.dispatch("GET", "https://h/things/special", None, store).body["answer"] == "special"
    other = router.dispatch("GET", "https://h/things/x%20y", None, store).body
    assert other == {"answer": "any", "params": {"name": "x y"}}


def test_workspace_scope_and_path_placeholders_are_parsed(store):
    router = Router([[Route("GET", "/v1{workspace}/files/{path:path}", answer("file"))]])
    params = router.dispatch("GET", "https://h/v1" + SCOPE + "/files/a/b/c.txt", None, store).body["params"]
    assert params == {"subscription": "sub", "resource_group": "rg", "workspace": "ws", "path": "a/b/c.txt"}


def test_a_known_path_with_another_method_is_405_with_allow(store):
    router = Router([[Route("GET", "/things/{name}", answer("get")), Route("DELETE", "/things/{name}", answer("del"))]])
    reply = router.dispatch("PUT", "https://h/things/x", None, store)
    assert reply.status == 405
    assert reply.headers["Allow"] == "DELETE, GET"
    assert (reply.body["statusCode"], reply.body["error"]["code"], reply.body["error"]["message"]) == (
        405, "MethodNotAllowed", "PUT is not allowed on /things/x: this path answers DELETE, GET.")


def test_an_emulator_error_becomes_its_azure_shaped_reply(store):
    def refuse(request):
        raise Conflict("Service x already exists")
    reply = Router([[Route("POST", "/x", refuse)]]).dispatch("POST", "https://h/x", b"{}", store)
    assert reply.status == 409
    assert reply.body["error"] == {"code": "Conflict", "message": "Service x already exists", "details": []}


def test_a_bug_in_a_handler_is_a_500_naming_it(store):
    def divide(x):
        return x / 0

    def broken(request):
        return divide(1)
    reply = Router([[Route("GET", "/x", broken)]]).dispatch("GET", "https://h/x", None, store)
    assert reply.status == 500 and reply.body["statusCode"] == 500
    assert reply.body["error"]["code"] == "InternalServerError"
    line = divide.__code__.co_firstlineno + 1   # the innermost line, the one that raised: where the bug is
    assert reply.body["message"] == (
        "azureml_emulator internal error answering GET /x: ZeroDivisionError: division by zero (at {}:{})"
        .format(__file__, line))


def test_a_segment_placeholder_matches_one_segment_only(store):
    router = Router([[Route("GET", "/things/{name}", answer("one"))]])
    assert router.dispatch("GET", "https://h/things/a", None, store).status == 200
    assert router.dispatch("GET", "https://h/things/a/b", None, store).status == 501


def test_a_handler_sees_the_requests_headers(store):
    router = Router([[Route("PUT", "/blob", lambda request: Reply(200, {"type": request.headers.get("x-ms-blob-type")}))]])
    reply = router.dispatch("PUT", "https://h/blob", b"", store, {"X-Ms-Blob-Type": "BlockBlob"})
    assert reply.body == {"type": "BlockBlob"}


def test_wrong_method_on_an_emulated_route_through_requests(azureml_emulator):
    answer_ = requests.put(MMS + "/models/sklearn_mnist:1", json={})
    assert answer_.status_code == 405
    assert answer_.headers["Allow"] == "DELETE, GET, PATCH"


def test_an_operation_not_emulated_is_named(azureml_emulator):
    answer_ = requests.get(EMULATOR_BASE_URL + "/history/v1.0" + SCOPE + "/experiments/my-exp/runcounts")
    assert answer_.status_code == 501
    assert answer_.json()["error"]["message"] == (
        "not emulated by azureml_emulator: RunOperations.get_counts (GET /history/v1.0{}/experiments/my-exp/runcounts)"
        .format(SCOPE))


def test_a_method_the_sdk_has_on_an_emulated_path_is_not_emulated_rather_than_not_allowed(azureml_emulator):
    path = "/history/v1.0" + SCOPE + "/experimentids/0000"
    answer_ = requests.patch(EMULATOR_BASE_URL + path, json={})
    assert answer_.status_code == 501
    assert "not emulated by azureml_emulator: ExperimentOperations.update" in answer_.json()["error"]["message"]


def test_another_method_on_a_storage_path_is_not_emulated_rather_than_not_allowed(store):
    # Azure Storage answers every method on any path; the emulator answers only some of them.
    router = Router([[Route("GET", "/{container}/{blob:path}", answer("get"), host=BLOB)]])
    reply = router.dispatch("DELETE", blob_base_url("account1") + "/c1/a.txt", None, store)
    assert reply.status == 501
    assert reply.body["error"]["message"] == "not emulated by azureml_emulator: DELETE /c1/a.txt"
    assert router.dispatch("DELETE", "https://h/c1/a.txt", None, store).status == 501   # no such path here


@pytest.mark.parametrize("call, named", [
    (lambda ws: Experiment(ws, "my-exp").archive(), "ExperimentOperations.update"),
    (lambda ws: Datastore.register_azure_sql_database(ws, "sql", "server", "db", username="u", password="p"),
     "registering a datastore of type AzureSqlDatabase"),
    (lambda ws: Environment("e").build(ws), "/environments/e/versions/1/image"),
])
def test_the_sdk_reports_each_area_not_emulated_readably(ws, call, named):
    with pytest.raises(Exception) as caught:
        call(ws)
    assert "not emulated by azureml_emulator: " in str(caught.value)
    assert named in str(caught.value)


@pytest.mark.parametrize("method, path, body, status, fragment", [
    ("GET", "/models?count=ten", None, 400, "Query parameter 'count' is 'ten': expected a whole number."),
    ("GET", "/models?count=-1", None, 400, "expected zero or more"),
    ("POST", "/models", b"{not json", 400, "The request body is not valid UTF-8 JSON"),
    ("POST", "/models", b"\xff\xfe", 400, "The request body is not valid UTF-8 JSON"),
    ("POST", "/models", b"[1, 2]", 400, "The request body is a JSON list: expected a JSON object."),
    ("POST", "/models", b"{}", 400, "Model name is required"),
    ("PATCH", "/models/nope:1", b'[]', 404, "Model nope:1 not found"),
    ("GET", "/services/x/logs?tail=many", None, 400, "Query parameter 'tail'"),
    ("GET", "/operations/x?offset=abc", None, 400, "Query parameter 'offset'"),
    ("POST", "/services", b'"just a string"', 400, "expected a JSON object"),
    ("POST", "/services", b'{"name": 7}', 400, "Invalid service name (a JSON number): expected 3 to 32 lowercase "
     "letters, digits or dashes, starting with a letter and ending with a letter or digit."),
    ("POST", "/services", b'{"name": "x\\u0000y"}', 400, "Invalid service name 'x\\x00y': expected 3 to 32"),
    ("POST", "/services", b'{"name": "' + b"a" * 1_000_000 + b'"}', 400,
     "Invalid service name '" + "a" * 40 + "'... (1000000 characters): expected 3 to 32"),
    ("POST", "/services", b'{"name": "My_Service"}', 400, "Invalid service name 'My_Service': expected"),
    ("POST", "/models", b'{"name": "m", "properties": [1]}', 400,
     "The model: 'properties' is a JSON array: expected a JSON object (or null)."),
    ("POST", "/models", b'{"name": "m\\u0000"}', 400, "Model name 'm\\x00' is invalid: expected 1 to 255 letters"),
    ("POST", "/models", b"[" * 100_000, 400, "The request body is nested too deeply: expected JSON at most 64"),
    ("POST", "/services", b'{"name": NaN}', 400, "Invalid service name (a JSON number): expected 3 to 32"),
])
def test_malformed_requests_get_http_errors(azureml_emulator, method, path, body, status, fragment):
    answer_ = requests.request(method, MMS + path, data=body, headers={"Content-Type": "application/json"})
    assert answer_.status_code == status
    assert fragment in answer_.json()["error"]["message"]


def test_a_patch_body_that_is_not_a_list_of_operations_is_refused(azureml_emulator, tmp_path):
    requests.post(MMS + "/models", json={"name": "m", "url": "aml://asset/x"})
    for body, fragment in ((b'{"op": "add"}', "expected a JSON array"), (b'[1]', "Each patch operation"),
                           (b'[{"op": "replace", "path": "/kvTags", "value": [1]}]',
                            "The patch of model m:1: 'kvTags' is a JSON array: expected a JSON object (or null)."),
                           (b'[{"op": "add", "path": "/name", "value": {}}]',
                            "The patch of model m:1 changes 'name', which cannot change")):
        answer_ = requests.patch(MMS + "/models/m:1", data=body)
        assert answer_.status_code == 400 and fragment in answer_.json()["error"]["message"]
    assert requests.get(MMS + "/models/m:1").json()["name"] == "m"   # stored state untouched


ARTIFACTS = EMULATOR_BASE_URL + "/artifact/v2.0" + SCOPE + "/artifacts"


@pytest.mark.parametrize("url, message", [
    (ARTIFACTS + "/ExperimentRun/dcid.x%00y", "Invalid 'container' in the URL 'dcid.x\\x00y': it holds the control "
     "character '\\x00': expected a name of letters, digits and punctuation"),
    (ARTIFACTS + "/contentinfo/ExperimentRun/dcid.r/outputs/a%0Ab.txt", "Invalid 'path' in the URL part 'a\\nb.txt'"),
    (ARTIFACTS + "/" + "o" * 5000 + "/c", "Invalid 'origin' in the URL '" + "o" * 60 + "...': it is 5000 bytes long: "
     "expected at most 255 bytes (UTF-8)"),
    (ARTIFACTS + "/ExperimentRun/" + "\u00e9" * 128, "it is 256 bytes long: expected at most 255 bytes (UTF-8)"),
    (ARTIFACTS + "/contentinfo/ExperimentRun/dcid.r/" + "a/" * 600,
     "it is 1200 characters long: expected at most 1024"),
    (EMULATOR_BASE_URL + "/modelmanagement/v1.0/subscriptions/sub/resourceGroups/r%01g/providers/"
     "Microsoft.MachineLearningServices/workspaces/ws/models", "Invalid 'resource_group' in the URL"),
])
def test_ids_names_and_paths_in_the_url_are_checked_before_any_handler(azureml_emulator, url, message):
    answer_ = requests.get(url)
    assert answer_.status_code == 400
    assert answer_.json()["error"]["code"] == "BadRequest"
    assert message in answer_.json()["error"]["message"]


def test_a_name_in_the_url_may_be_255_bytes_and_a_path_1024_characters(store):
    router = Router([[Route("GET", "/things/{name}/{rest:path}", answer("ok"))]])
    rest = "/".join(["b" * 255] * 3 + ["b" * 254, "c"])   # 1024 characters, each part at most 255
    assert len(rest) == 1024
    assert router.dispatch("GET", "https://h/things/" + "a" * 255 + "/" + rest, None, store).status == 200
    assert router.dispatch("GET", "https://h/things/" + "a" * 256 + "/x", None, store).status == 400
    assert router.dispatch("GET", "https://h/things/a/" + rest + "c", None, store).status == 400
    assert router.dispatch("GET", "https://h/things/a/" + "b" * 256, None, store).status == 400


def test_a_bad_name_on_a_storage_host_is_storages_xml_error(store):
    router = Router([[Route("GET", "/{container}/{blob:path}", answer("get"), host=BLOB)]])
    reply = router.dispatch("GET", blob_base_url("account1") + "/c1/a%00b.txt", None, store)
    assert reply.status == 400
    assert reply.headers["x-ms-error-code"] == "InvalidResourceName"
    assert reply.body.startswith(b'<?xml version="1.0" encoding="utf-8"?><Error><Code>InvalidResourceName</Code>'
                                 b"<Message>The specifed resource name contains invalid characters.")
    long = router.dispatch("GET", blob_base_url("account1") + "/c1/" + "b" * 1025, None, store)
    assert (long.status, long.headers["x-ms-error-code"]) == (400, "OutOfRangeInput")


HISTORY = EMULATOR_BASE_URL + "/history/v1.0" + SCOPE
COMPUTES = ARM_BASE_URL.rstrip("/") + SCOPE


@pytest.mark.parametrize("method, url, body, message", [
    ("PATCH", HISTORY + "/experiments/e/runs/r1", {"properties": [1]},
     "Run r1: 'properties' is a JSON array: expected a JSON object (or null)."),
    ("PATCH", HISTORY + "/experiments/e/runs/r1", {"tags": {"a": "b"}, "status": 3},
     "Run r1: 'status' is a JSON number: expected a JSON string (or null)."),
    ("PATCH", HISTORY + "/experiments/e/batch/runs", {"runs": [{"runId": "r2", "tags": "x"}]},
     "Run r2: 'tags' is a JSON string: expected a JSON object (or null)."),
    ("POST", HISTORY + "/experiments/e/runs/r0/events", {"name": {}},
     "The run event: 'name' is a JSON object: expected a JSON string (or null)."),
    ("POST", HISTORY + "/experiments/e/batch/events", {"events": [{"name": ["RunStarted"], "data": {"RunId": "r0"}}]},
     "A run event: 'name' is a JSON array: expected a JSON string (or null)."),
    ("PUT", COMPUTES + "/computes/cpu1", {"properties": [1]},
     "The compute: 'properties' is a JSON array: expected a JSON object (or null)."),
    ("PUT", COMPUTES + "/computes/cpu1", {"properties": {"computeType": "AmlCompute", "properties": {"vmSize": 2}}},
     "The compute's properties.properties: 'vmSize' is a JSON number: expected a JSON string (or null)."),
    ("PATCH", COMPUTES + "/computes/cpu0", {"properties": {"properties": True}},
     "The compute's properties: 'properties' is a JSON boolean: expected a JSON object (or null)."),
])
def test_a_field_of_the_wrong_json_type_is_a_400_naming_it(azureml_emulator, method, url, body, message):
    requests.patch(HISTORY + "/experiments/e/runs/r0", json={"status": "Running"}).raise_for_status()
    requests.put(COMPUTES + "/computes/cpu0", json={"properties": {"computeType": "AmlCompute", "properties": {
        "scaleSettings": {"maxNodeCount": 1}}}}).raise_for_status()
    answer_ = requests.request(method, url, json=body)
    assert (answer_.status_code, answer_.json()["error"]["message"]) == (400, message)
    assert requests.get(HISTORY + "/experiments/e/runs/r0").json()["status"] == "Running"
