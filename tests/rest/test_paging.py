"""Every list the SDK pages comes back whole through the SDK's own paging: 600 items of each
kind (made directly in the store, where the SDK would be slow), each listed exactly once.
The continuation tokens are keyset cursors, so items added between two pages are neither
repeated nor make others skipped."""
import re
from collections import Counter

import mlflow
import pytest
from azureml.core import Dataset, Environment, Experiment, Model, Run
from azureml.core.webservice import Webservice

from azureml_emulator.artifacts import backend as artifacts
from azureml_emulator.datasets import backend as datasets
from azureml_emulator.datastores import backend as datastores
from azureml_emulator.environments import backend as environments
from azureml_emulator.errors import BadRequest
from azureml_emulator.ids import ArtifactId, WorkspaceKey, data_container_id
from azureml_emulator.metrics import backend as metrics
from azureml_emulator.models import backend as models
from azureml_emulator.rest import paging
from azureml_emulator.runs import backend as runs
from azureml_emulator.runtime.routes import ROUTER
from azureml_emulator.webservices import backend, repository
from azureml_emulator.webservices.records import ServiceRecord

MANY = 600


def once_each(names, expected):
    """The listing holds each expected name exactly once (and nothing else of that pattern)."""
    counts = Counter(names)
    assert {name for name in expected if counts[name] != 1} == set()
    shapes = re.compile("|".join(sorted({re.sub(r"\\d", r"\\d", re.escape(name)) for name in expected})))
    assert {name for name in counts if shapes.fullmatch(name) and name not in set(expected)} == set()
    return counts


@pytest.fixture
def lab(ws, azureml_emulator):
    return ws, azureml_emulator.store, WorkspaceKey.of(ws)


LISTS = ("value", "runs", "experiments", "registered_models", "model_versions")


@pytest.fixture
def pages(monkeypatch):
    """page_sizes(fragment): how many items each answer to a request whose path ends with
    ``fragment`` held, as the emulator's router answered the SDK."""
    seen = []
    dispatch = ROUTER.dispatch

    def spy(method, url, *args, **kwargs):
        reply = dispatch(method, url, *args, **kwargs)
        if isinstance(reply.body, dict):
            listed = next((reply.body[field] for field in LISTS if isinstance(reply.body.get(field), list)), None)
            if listed is not None:
                seen.append((url.split("?")[0], len(listed)))
        return reply
    monkeypatch.setattr(ROUTER, "dispatch", spy)
    return lambda fragment: [size for path, size in seen if path.rstrip("/").endswith(fragment)]


def test_model_list_follows_next_link_past_255(lab):
    ws, store, key = lab
    for i in range(MANY):
        models.register(store, key, {"name": "m{:03d}".format(i), "url": "aml://asset/none"})
    listed = Model.list(ws)
    once_each([m.name for m in listed], ["m{:03d}".format(i) for i in range(MANY)])
    assert len(listed) == MANY
    # newest first, as Model Management lists them
    assert [m.name for m in listed[:2]] == ["m599", "m598"]


def test_model_versions_of_one_name_page_too(lab):
    ws, store, key = lab
    for _ in range(300):
        models.register(store, key, {"name": "versions", "url": "aml://asset/none"})
    assert sorted(m.version for m in Model.list(ws, name="versions")) == list(range(1, 301))


def test_webservice_list_follows_next_link(lab, pages):
    ws, store, key = lab
    resources = {"cpu": 0.1, "cpuLimit": None, "memoryInGB": 0.5, "memoryInGBLimit": None, "gpu": None}
    for i in range(MANY):
        request = {"name": "svc{:03d}".format(i), "containerResourceRequirements": resources}
        payload = dict(backend._new_payload(request), state="Failed", scoringUri=None)
        repository.save(store, ServiceRecord(key, payload, None))
    names = [service.name for service in Webservice.list(ws)]
    once_each(names, ["svc{:03d}".format(i) for i in range(MANY)])
    assert len(names) == MANY and pages("/services") == [100] * 6


def test_environment_list_follows_the_continuation_token(lab, pages):
    ws, store, key = lab
    body = Environment._serialize_to_dict(Environment("template"))
    for i in range(MANY):
        environments.register(store, key, "env{:03d}".format(i), dict(body, name="env{:03d}".format(i)), "1")
    listed = Environment.list(ws)
    once_each(list(listed), ["env{:03d}".format(i) for i in range(MANY)])
    sizes = pages("/environments")
    assert len(sizes) > MANY // 100 and max(sizes) == 100 and sum(sizes) == len(listed)


def test_dataset_get_all_follows_the_continuation_token(lab, pages):
    ws, store, key = lab
    saved = datasets.save(store, key, {"datasetType": "File", "properties": {}, "dataflowJson": "{}"})
    for i in range(MANY):
        record = {"datasetId": "id{}".format(i), "name": "ds{:03d}".format(i), "version": 1, "savedId": saved["id"],
                  "description": None, "tags": {}, "createdTime": "2026-01-01T00:00:00.000Z"}
        with store.transaction() as db:
            db.execute("INSERT INTO datasets (workspace, name, version, dataset_id, saved_id, payload) "
                       "VALUES (?, ?, 1, ?, ?, ?)",
                       (str(key), record["name"], record["datasetId"], saved["id"], store.dumps(record)))
    names = list(Dataset.get_all(ws).keys())
    once_each(names, ["ds{:03d}".format(i) for i in range(MANY)])
    assert len(names) == MANY and pages("/datasets") == [100] * 6   # Dataset.get_all asks pages of 100


def test_workspace_datastores_follow_the_continuation_token(lab, pages):
    ws, store, key = lab
    for i in range(MANY):
        section = {"accountName": "acct", "containerName": "c{:03d}".format(i), "accountKey": "a2V5"}
        datastores.register(store, key, {"name": "store{:03d}".format(i), "dataStoreType": "AzureBlob",
                                         "azureStorageSection": section}, overwrite=False)
    names = list(ws.datastores)
    once_each(names, ["store{:03d}".format(i) for i in range(MANY)])
    assert ws.datastores["store599"].container_name == "c599"
    assert max(pages("/datastores")) == 100   # the SDK asks pages of 100


def test_experiment_list_follows_the_continuation_token(lab, pages):
    ws, store, key = lab
    for i in range(MANY):
        runs.create_experiment(store, key, "exp{:03d}".format(i))
    names = [experiment.name for experiment in Experiment.list(ws)]
    once_each(names, ["exp{:03d}".format(i) for i in range(MANY)])
    assert len(names) == MANY and pages("/experiments:query") == [500, 100]


def test_get_runs_and_get_children_follow_the_continuation_token(lab):
    ws, store, key = lab
    runs.create_run(store, key, "many", "parent", {})
    for i in range(MANY):
        runs.create_run(store, key, "many", "child{:03d}".format(i), {"parentRunId": "parent", "rootRunId": "parent"})
    experiment = Experiment(ws, "many")
    listed = [run.id for run in experiment.get_runs(include_children=True)]
    once_each(listed, ["parent"] + ["child{:03d}".format(i) for i in range(MANY)])
    assert listed[0] == "child599"   # newest first
    children = [run.id for run in Run(experiment, "parent").get_children()]
    assert children == ["child{:03d}".format(i) for i in range(MANY)]


def test_get_metrics_over_many_metrics_and_many_values(lab, pages):
    ws, store, key = lab
    runs.create_run(store, key, "metrics", "logger", {})
    metrics.add(store, key, "logger", [{"name": "metric{:03d}".format(i), "columns": {"metric{:03d}".format(i): "int"},
                                        "value": [{"data": {"metric{:03d}".format(i): i}}]} for i in range(MANY)])
    metrics.add(store, key, "logger", [{"name": "long", "columns": {"long": "int"},
                                        "value": [{"data": {"long": k}, "step": k} for k in range(MANY)]}])
    logged = Run(Experiment(ws, "metrics"), "logger").get_metrics()
    assert {name: logged.get(name) for name in ("metric000", "metric599")} == {"metric000": 0, "metric599": 599}
    assert len(logged) == MANY + 1 and logged["long"] == list(range(MANY))
    assert pages("/full").count(100) == 6   # the long metric's rows, in pages


def test_get_file_names_over_many_files(lab, pages):
    ws, store, key = lab
    runs.create_run(store, key, "files", "writer", {})
    for i in range(MANY):
        target = artifacts.artifact_file(store.home, ArtifactId("ExperimentRun", data_container_id("writer"),
                                                                "outputs/f{:03d}.txt".format(i)))
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(str(i))
    names = Run(Experiment(ws, "files"), "writer").get_file_names()
    assert names == ["outputs/f{:03d}.txt".format(i) for i in range(MANY)]
    assert pages("/ExperimentRun/dcid.writer") == [100] * 6


@pytest.fixture
def tracking(lab):
    ws = lab[0]
    mlflow.set_tracking_uri(ws.get_mlflow_tracking_uri())
    yield lab
    mlflow.set_tracking_uri(None)


def test_mlflow_searches_page_with_page_tokens(tracking):
    ws, store, key = tracking
    experiment = runs.create_experiment(store, key, "mlflow-many")
    for i in range(MANY):
        runs.create_run(store, key, "mlflow-many", "mr{:03d}".format(i), {})
        models.register(store, key, {"name": "rm{:03d}".format(i), "url": "file:///nowhere"})
    for _ in range(MANY):
        models.register(store, key, {"name": "versioned", "url": "file:///nowhere"})
    found = mlflow.search_runs(experiment_ids=[experiment["experimentId"]], max_results=MANY * 2,
                               output_format="list")
    once_each([run.info.run_id for run in found], ["mr{:03d}".format(i) for i in range(MANY)])
    client = mlflow.MlflowClient()
    for search, field in ((client.search_registered_models, "name"),
                          (lambda **page: client.search_model_versions("name='versioned'", **page), "version")):
        seen, token = [], None
        while True:
            page = search(max_results=250, page_token=token)
            seen += [str(getattr(item, field)) for item in page]
            token = page.token
            if not token:
                break
        expected = ["rm{:03d}".format(i) for i in range(MANY)] + ["versioned"] if field == "name" else \
            [str(version) for version in range(1, MANY + 1)]
        assert sorted(seen) == sorted(expected)


def test_a_page_after_additions_neither_repeats_nor_skips():
    items = [{"n": n} for n in range(0, 100, 2)]   # even numbers, listed newest (largest) first

    def key(item):
        return (item["n"],)
    first = paging.paginate(items, key, 10, descending=True)
    assert [item["n"] for item in first.items] == list(range(98, 78, -2))
    items += [{"n": 200}, {"n": 81}, {"n": 79}]    # one before the cursor, two after it
    rest, token = [], first.token
    while token:
        page = paging.paginate(items, key, 10, token, descending=True)
        rest += [item["n"] for item in page.items]
        token = page.token
    assert rest == [79] + list(range(78, -1, -2))   # 81 and 200 sort before the cursor (80)


def test_a_token_the_emulator_did_not_make_is_refused():
    with pytest.raises(BadRequest):
        paging.paginate([{"n": 1}], lambda item: (item["n"],), 1, "not-a-token!")
