"""Metric service v2 routes (`_restclient/metrics_client.py`): the batches `run.log*` sends
from a job or a kernel, and the listing `get_metrics()` reads back; and run history's metric
query over an experiment's runs, which the run widget sends for a run's children."""
from __future__ import annotations

from azureml_emulator.errors import BadRequest, NotFound
from azureml_emulator.metrics import backend
from azureml_emulator.rest import odata, paging
from azureml_emulator.rest.reply import Reply
from azureml_emulator.rest.request import Request
from azureml_emulator.rest.router import Route
from azureml_emulator.runs import backend as runs

SCOPE = "/metric/v2.0{workspace}/runs/{run_id}"
HISTORY = "/history/v1.0{workspace}/experiments/{experiment}"


def post_batch(request: Request) -> Reply:
    runs.require(request.store, request.workspace, request.params["run_id"])
    values = request.json_object().get("values")
    if not isinstance(values, list):
        raise BadRequest("The batch must have 'values': a list of metrics")
    backend.add(request.store, request.workspace, request.params["run_id"], values)
    return Reply(200, {})


def list_metrics(request: Request) -> Reply:
    """A run's metric definitions, in the order first logged, on one page: the SDK pages this list
    with a keyword its operation drops (not ListMetricsDto's ``continuationToken``), so it would
    ask for the first page again; a token in the body is honoured all the same."""
    runs.require(request.store, request.workspace, request.params["run_id"])
    found = backend.names(request.store, request.workspace, request.params["run_id"])
    page = paging.paginate(found, lambda entry: (entry["seq"],), max(len(found), 1),
                           request.json_object().get("continuationToken"))
    return Reply(200, paging.continuation_body(
        page, lambda entry: {key: value for key, value in entry.items() if key != "seq"}))


def full_metric(request: Request) -> Reply:
    """A page of one metric's rows, in logged order, and the ``continuationToken`` the SDK puts
    back in the request's body (RetrieveFullFidelityMetricRequestDto)."""
    runs.require(request.store, request.workspace, request.params["run_id"])
    body = request.json_object()
    name = body.get("metricName")
    logged = backend.rows(request.store, request.workspace, request.params["run_id"], str(name))
    metric = backend.full(request.store, request.workspace, request.params["run_id"], str(name))
    if metric is None:
        raise NotFound("Metric {!r} was not found on run {}".format(name, request.params["run_id"]),
                       code="MetricNotFound")
    page = paging.paginate(logged, lambda row: row.key, paging.DEFAULT_PAGE, body.get("continuationToken"))
    return Reply(200, {**metric, "value": [row.value for row in page.items], "continuationToken": page.token})


def query_metrics(request: Request) -> Reply:
    """RunMetricOperations.get_by_query: a page of the matching rows in logged order, ``top`` of
    them (the SDK asks 500), and the ``continuationToken`` it puts back in the query."""
    query = request.json_object()
    expression = query.get("filter")
    found = backend.query(request.store, request.workspace, request.params["experiment"],
                          lambda fields: odata.matches(expression, lambda path: fields.get(path, odata.MISSING)))
    page = paging.paginate(found, lambda metric: tuple(metric["order"]),
                           paging.page_size(query.get("top"), paging.RUN_HISTORY_PAGE), query.get("continuationToken"))
    return Reply(200, paging.continuation_body(
        page, lambda metric: {key: value for key, value in metric.items() if key != "order"}))


ROUTES = (
    Route("POST", SCOPE + "/batch", post_batch),
    Route("POST", SCOPE + "/list", list_metrics),
    Route("POST", SCOPE + "/full", full_metric),
    Route("POST", HISTORY + "/metrics:query", query_metrics),
)
