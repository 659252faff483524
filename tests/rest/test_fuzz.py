"""Every route of the route table, fed generated malformed requests (hypothesis): ids, names
and paths in the URL, query strings, headers and bodies (broken bytes, JSON of the wrong
shapes and types, NaN, deep nesting, multipart and XML). No answer may be a 5xx other than
501 ("not emulated"); a 4xx has Azure's error shape; and the workspace still works afterwards,
through the SDK. The router is called in-process, as the transport calls it.

The keys of generated JSON objects and query strings are the names the emulator's code reads
(harvested from its source), so the documents reach past the first check into the handlers.
The examples are derandomized, so a run in CI meets the same requests each time; besides
them, every route gets the requests that were once a 500 somewhere (`known_bad_requests`).
"""
import json
import re
import uuid
from pathlib import Path
from urllib.parse import quote, urlencode

import psutil
import pytest
import requests
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import azureml_emulator
from azureml_emulator.addresses import ARM, ARM_BASE_URL, BLOB, EMULATOR_BASE_URL, FILE, blob_base_url, file_base_url
from azureml_emulator.ids import WorkspaceKey
from azureml_emulator.runtime.routes import ROUTER
from azureml_emulator.tools import housekeeping

SOURCE = Path(azureml_emulator.__file__).parent
BASES = {BLOB: blob_base_url("fuzzaccount"), FILE: file_base_url("fuzzaccount"), ARM: ARM_BASE_URL.rstrip("/")}
PLACEHOLDER = re.compile(r"\{(\w+)(:path)?\}")
WORKSPACE = ("/subscriptions/{subscription}/resourceGroups/{resource_group}/providers/"
             "Microsoft.MachineLearningServices/workspaces/{workspace}")
EXAMPLES_PER_ROUTE = 12


def names_the_code_reads() -> list[str]:
    """The keys the emulator reads from documents and query strings (``.get("x")``, ``["x"]``)."""
    found = set()
    for module in SOURCE.rglob("*.py"):
        found.update(re.findall(r"""(?:\.get\(|\[)["']([A-Za-z$_][\w$.-]{0,40})["']""", module.read_text()))
    return sorted(found)


KEYS = names_the_code_reads()

# Text meant to break things: control characters, NUL, lone surrogates, long and odd names.
nasty_text = st.one_of(
    st.text(max_size=12),
    st.text(alphabet=st.characters(codec="utf-8", categories=["Cc", "Zs", "Po", "So"]), min_size=1, max_size=8),
    st.sampled_from(["\x00", "a\x00b", "..", ".", "-", "nan", "NaN", "a" * 300, "\u00e9" * 200, "x" * 5000,
                     "a/b", "%", "%00", " ", "\u2028", "CON", "name:1", "name:99999999999999999999", "1" * 40,
                     "dcid.x", "ExperimentRun", "sklearn_mnist:1", "../../etc"]),
)
scalars = st.one_of(st.none(), st.booleans(), st.integers(min_value=-2 ** 70, max_value=2 ** 70),
                    st.floats(allow_nan=False, allow_infinity=False), nasty_text)
json_values = st.recursive(
    scalars, lambda children: st.one_of(
        st.lists(children, max_size=3),
        st.dictionaries(st.one_of(st.sampled_from(KEYS), nasty_text), children, max_size=5)),
    max_leaves=12)


def as_json(value) -> bytes:
    return json.dumps(value).encode()


def multipart(filename: str, content: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    body = ("--{0}\r\nContent-Disposition: form-data; name=\"{1}\"; filename=\"{1}\"\r\n"
            "Content-Type: application/json\r\n\r\n".format(boundary, filename)).encode()
    return body + content + "\r\n--{}--\r\n".format(boundary).encode(), "multipart/form-data; boundary=" + boundary


bodies = st.one_of(
    st.none(),
    st.binary(max_size=64),
    st.builds(as_json, json_values),
    st.builds(as_json, st.dictionaries(st.sampled_from(KEYS), json_values, min_size=1, max_size=6)),
    st.sampled_from([b"[" * 100_000, b"{\"a\":" * 70 + b"1" + b"}" * 70, b"NaN", b'{"name": NaN}',
                     b'{"value": Infinity}', b"1e999", b'{"properties": [1]}', b'{"tags": "x"}',
                     b"<BlockList><Latest>" + b"x" * 100 + b"</Latest></BlockList>", b"<a>" * 2000,
                     b"\xef\xbb\xbf{}", b"\x00", b'{"name": "x\\u0000y"}']),
)


@st.composite
def requests_for(draw, route):
    """A request for ``route``: each placeholder filled with a plausible or a malformed value."""
    template = route.template.replace("{workspace}", WORKSPACE)

    def fill(match: re.Match) -> str:
        value = draw(st.one_of(st.sampled_from(["ws", "sub", "rg", "m1", "dcid.r0", "ExperimentRun", "r0"]),
                               nasty_text))
        if match.group(1) in ("subscription", "resource_group", "workspace") and draw(st.booleans()):
            value = {"subscription": "sub", "resource_group": "rg", "workspace": "ws"}[match.group(1)]
        return quote(value, safe="/" if match.group(2) else "") or "x"
    path = PLACEHOLDER.sub(fill, template)
    query = draw(st.dictionaries(st.sampled_from(KEYS), nasty_text, max_size=3))
    body = draw(bodies)
    headers = {"Content-Type": "application/json"}
    if draw(st.integers(0, 5)) == 0:
        body, headers["Content-Type"] = multipart(draw(st.sampled_from(["definition.json", "config.json"])),
                                                  body or b"")
    if route.host in (BLOB, FILE) and draw(st.booleans()):
        headers["x-ms-range"] = draw(nasty_text)
    url = BASES.get(route.host, EMULATOR_BASE_URL) + path + ("?" + urlencode(query) if query else "")
    return url, body, headers


# Requests every route gets besides the generated ones: each of these was once a 500 somewhere.
KNOWN_BAD_VALUES = ("a\x00b", "x" * 5000, "\u00e9" * 200)
KNOWN_BAD_BODIES = (b"[" * 100_000, b'{"properties": [1], "name": "x"}', b'{"tags": [1], "properties": 3}',
                    b'{"name": {}, "data": 1}', b'{"name": "x\\u0000y"}', b'{"name": "' + b"a" * 1_000_000 + b'"}',
                    # Tokens and page sizes of the wrong type (a number token was a 500 in every paged listing).
                    b'{"continuationToken": 5}', b'{"continuationToken": ["a"], "top": "x"}',
                    b'{"page_token": {}, "max_results": [1]}', b'{"value": NaN, "step": Infinity}',
                    # A kind that is not a string (saved datasets read datasetType with .lower()).
                    b'{"datasetType": true, "dataflow": "{}"}')


def known_bad_requests(route) -> list[tuple[str, bytes | None, dict]]:
    """A malformed value in each placeholder in turn (the others plausible), then each known bad body."""
    template = route.template.replace("{workspace}", WORKSPACE)
    placeholders = [match.group(1) for match in PLACEHOLDER.finditer(template)]
    base = BASES.get(route.host, EMULATOR_BASE_URL)
    headers = {"Content-Type": "application/json"}

    def url(bad_name: str | None = None, bad_value: str = "") -> str:
        return base + PLACEHOLDER.sub(lambda m: quote(bad_value, safe="") if m.group(1) == bad_name else "r0",
                                      template)
    found = [(url(name, value), b"{}", headers) for name in placeholders for value in KNOWN_BAD_VALUES]
    return found + [(url(), body, headers) for body in KNOWN_BAD_BODIES]


def assert_azure_shaped(route, url, reply) -> None:
    """No 5xx but 501, and a 4xx in Azure's error shape: Storage's XML on Storage's hosts (or the
    router's JSON for a call not emulated there), the services' JSON error elsewhere."""
    where = "{} {} -> {}: {!r}".format(route.method, url[:300], reply.status, reply.body)[:2000]
    assert reply.status < 500 or reply.status == 501, where
    if reply.status < 400 or (reply.status == 404 and not reply.body):   # MLflow's "no such API" is a bare 404
        return
    if isinstance(reply.body, bytes) and route.host in (BLOB, FILE):
        assert reply.body.startswith(b'<?xml version="1.0" encoding="utf-8"?><Error><Code>'), where
        return
    assert isinstance(reply.body, dict), where
    error = reply.body.get("error")
    message = error.get("message") if isinstance(error, dict) else reply.body.get("message")   # MLflow's shape
    assert isinstance(message, str) and message, where


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory):
    """One emulated workspace that every route's requests reach, one after another. At the end
    the SDK registers a model in it and finds it, whatever stopped running is stopped, and
    nothing is left running."""
    home, work = tmp_path_factory.mktemp("fuzz-home"), tmp_path_factory.mktemp("fuzz-work")
    before = {p.pid for p in psutil.Process().children(recursive=True)}
    with pytest.MonkeyPatch.context() as monkeypatch, \
            azureml_emulator.emulate(home=home, environments="current") as emulator:
        monkeypatch.chdir(work)
        from azureml.core import Workspace
        try:
            yield emulator, Workspace.from_config()
            sdk_registers_and_lists_a_model(Workspace.from_config(), work)
        finally:
            housekeeping.stop_all(home)
    left = [p for p in psutil.Process().children(recursive=True) if p.pid not in before]
    assert not left, "processes left running by the fuzzed requests: {}".format(left)


@pytest.mark.parametrize("route", ROUTER.routes, ids=lambda route: "{} {}".format(route.method, route.template))
def test_malformed_requests_get_4xx_and_the_workspace_still_works(fuzzed, route):
    emulator, ws = fuzzed

    @settings(max_examples=EXAMPLES_PER_ROUTE, deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(request=requests_for(route))
    def fuzz(request):
        url, body, headers = request
        assert_azure_shaped(route, url, ROUTER.dispatch(route.method, url, body, emulator, headers))
    for known in known_bad_requests(route):
        fuzz = example(request=known)(fuzz)
    fuzz()
    still_works(ws)


MMS = "/modelmanagement/v1.0"


def still_works(ws) -> None:
    """The state is still readable and writable: a model registered (the SDK's own request to
    Model Management) is found by the SDK's Model.list."""
    from azureml.core import Model
    name = "fuzz-" + uuid.uuid4().hex[:8]
    registered = requests.post(EMULATOR_BASE_URL + MMS + WorkspaceKey.of(ws).scope + "/models",
                               json={"name": name, "url": "aml://asset/" + name, "mimeType": "application/json"})
    assert registered.status_code == 200, registered.text
    assert [model.name for model in Model.list(ws, name=name)] == [name]


def sdk_registers_and_lists_a_model(ws, folder) -> None:
    """Once every route was fuzzed: the SDK's whole Model.register (file upload included) and Model.list."""
    from azureml.core import Model
    (folder / "model.pkl").write_bytes(b"weights")
    Model.register(ws, model_path="model.pkl", model_name="after-fuzzing")
    assert [model.name for model in Model.list(ws, name="after-fuzzing")] == ["after-fuzzing"]
