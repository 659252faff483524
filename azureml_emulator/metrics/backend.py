"""Metrics of runs: every logged value is one row, read back in the order it was logged.

A metric has a name, its columns' types (``{"accuracy": "double"}``) and a UX type
(``azureml.v1.scalar``, ``.list``, ``.table``, ``azureml.v2.image``) that the SDK uses
to render it; rows carry ``data``, ``step``, ``createdUtc`` and ``metricId``.

The SDK sends its batches in parallel, so rows arrive out of order. Like Azure, the
emulator orders them by ``step``, then by ``createdUtc``, the time the client logged them
(`MetricV2Value`, stamped by `azureml.core._metrics` as ``run.log*`` is called); rows of
one ``log_list`` or ``log_table`` share a timestamp and keep their order in the batch.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Mapping

from azureml_emulator.errors import BadRequest
from azureml_emulator.ids import WorkspaceKey, data_container_id
from azureml_emulator.store import Store
from azureml_emulator.timestamps import posix


@dataclass(frozen=True)
class LoggedRow:
    """One logged row of a run's metric, with its place in arrival order (``seq``)."""

    seq: int
    run_id: str
    name: str
    columns: dict
    properties: dict
    value: dict     # the MetricV2Value: data, step, createdUtc, metricId

    @property
    def key(self) -> tuple:
        """The logged order, a total one: step, the client's timestamp, arrival."""
        return (_step(self.value.get("step")), _time(self.value.get("createdUtc")), self.seq)


def _step(step: Any) -> int:
    return step if isinstance(step, int) and not isinstance(step, bool) else 0


def _time(stamp: Any) -> float:
    try:
        return posix(stamp) if isinstance(stamp, str) else 0.0
    except ValueError:
        return 0.0


def rows(store: Store, workspace: WorkspaceKey, run_id: str | None = None, name: str | None = None,
         experiment: str | None = None) -> list[LoggedRow]:
    """The logged rows of a run (or of an experiment's runs), of one metric or all, in logged order."""
    found = store.query(
        "SELECT m.seq, m.run_id, m.name, m.columns, m.properties, m.row FROM metrics m "
        "LEFT JOIN runs r ON r.workspace = m.workspace AND r.run_id = m.run_id WHERE m.workspace=? "
        "AND (? IS NULL OR m.run_id=?) AND (? IS NULL OR m.name=?) AND (? IS NULL OR r.experiment=?)",
        (str(workspace), run_id, run_id, name, name, experiment, experiment))
    logged = [LoggedRow(r["seq"], r["run_id"], r["name"], store.loads(r["columns"]) or {},
                        store.loads(r["properties"]) or {}, store.loads(r["row"])) for r in found]
    return sorted(logged, key=lambda row: row.key)


def _check(metric: Any) -> None:
    if not isinstance(metric, dict) or not isinstance(metric.get("name"), str) or not metric["name"]:
        raise BadRequest("Each metric must be an object with a non-empty 'name'; got {!r}".format(metric)[:300])
    if not isinstance(metric.get("value"), list) or not all(
            isinstance(row, dict) and isinstance(row.get("data"), dict) for row in metric["value"]):
        raise BadRequest("Metric {!r}: 'value' must be a list of rows, each with a 'data' object".format(metric["name"]))
    if not isinstance(metric.get("columns") or {}, dict):
        raise BadRequest("Metric {!r}: 'columns' must map column names to types".format(metric["name"]))


def add(store: Store, workspace: WorkspaceKey, run_id: str, metrics: list) -> None:
    """Store a batch: all of it, or (on a malformed metric) none of it."""
    for metric in metrics:
        _check(metric)
    with store.transaction() as db:
        for metric in metrics:
            for row in metric["value"]:
                db.execute("INSERT INTO metrics (workspace, run_id, name, columns, properties, row) "
                           "VALUES (?, ?, ?, ?, ?, ?)",
                           (str(workspace), run_id, metric["name"], store.dumps(metric.get("columns") or {}),
                            store.dumps(metric.get("properties") or {}), store.dumps(row)))


def names(store: Store, workspace: WorkspaceKey, run_id: str) -> list[dict]:
    """A run's metric definitions, in the order they were first logged; each with ``seq``, its
    first row's arrival, a total order for paging."""
    found: dict[str, dict] = {}
    for row in rows(store, workspace, run_id):
        found.setdefault(row.name, {"metricKey": {"namespace": "", "name": row.name}, "columns": {}, "seq": row.seq})
        found[row.name]["columns"].update(row.columns)
    return list(found.values())


def full(store: Store, workspace: WorkspaceKey, run_id: str, name: str) -> dict | None:
    """A run's metric with all its rows, in logged order (None if it was never logged)."""
    logged = rows(store, workspace, run_id, name)
    if not logged:
        return None
    columns: dict = {}
    for row in sorted(logged, key=lambda row: row.seq):
        columns.update(row.columns)
    latest = max(logged, key=lambda row: row.seq)
    return {"name": name, "dataContainerId": data_container_id(run_id), "columns": columns,
            "properties": latest.properties or {"uxMetricType": "azureml.v1.scalar"},
            "value": [row.value for row in logged], "continuationToken": None}


def query(store: Store, workspace: WorkspaceKey, experiment: str,
          keep: Callable[[Mapping[str, Any]], bool]) -> list[dict]:
    """Run history's metric query (``experiments/<name>/metrics:query``), which the run widget
    sends for a parent's children: every logged row of the experiment's runs whose fields
    (``RunId``, ``MetricType``, ``Name``, ``CreatedUtc``) ``keep`` accepts (the api reads the
    request's OData filter), one run metric per row, in logged order; each with ``seq`` (see
    `LoggedRow.key`) for paging."""
    found = []
    for row in rows(store, workspace, experiment=experiment):
        value, columns = row.value, row.columns
        metric_type = row.properties.get("uxMetricType", "azureml.v1.scalar")
        fields = {"RunId": row.run_id, "MetricType": metric_type, "Name": row.name,
                  "CreatedUtc": value.get("createdUtc")}
        if keep(fields):
            found.append({
                "runId": row.run_id, "metricId": value.get("metricId"),
                "dataContainerId": data_container_id(row.run_id),
                "metricType": metric_type, "createdUtc": value.get("createdUtc"), "name": row.name,
                "numCells": 1, "cells": [value["data"]], "order": list(row.key),
                "schema": {"numProperties": len(columns), "properties": [
                    {"propertyId": column, "name": column, "type": kind} for column, kind in columns.items()]}})
    return found
