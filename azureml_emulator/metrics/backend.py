"""Metrics of runs: every logged value is one row, kept in the order it arrived.

A metric has a name, its columns' types (``{"accuracy": "double"}``) and a UX type
(``azureml.v1.scalar``, ``.list``, ``.table``, ``azureml.v2.image``) that the SDK uses
to render it; rows carry ``data``, ``step``, ``createdUtc`` and ``metricId``.
"""
from __future__ import annotations

from typing import Any

from azureml_emulator.errors import BadRequest
from azureml_emulator.ids import WorkspaceKey, data_container_id
from azureml_emulator.rest import odata
from azureml_emulator.store import Store


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
    rows = store.query("SELECT name, columns, MIN(seq) AS first FROM metrics WHERE workspace=? AND run_id=? "
                       "GROUP BY name ORDER BY first", (str(workspace), run_id))
    return [{"metricKey": {"namespace": "", "name": r["name"]}, "columns": store.loads(r["columns"])} for r in rows]


def full(store: Store, workspace: WorkspaceKey, run_id: str, name: str) -> dict | None:
    rows = store.query("SELECT columns, properties, row FROM metrics WHERE workspace=? AND run_id=? AND name=? "
                       "ORDER BY seq", (str(workspace), run_id, name))
    if not rows:
        return None
    columns: dict = {}
    for row in rows:
        columns.update(store.loads(row["columns"]))
    return {"name": name, "dataContainerId": data_container_id(run_id), "columns": columns,
            "properties": store.loads(rows[-1]["properties"]) or {"uxMetricType": "azureml.v1.scalar"},
            "value": [store.loads(row["row"]) for row in rows], "continuationToken": None}



def query(store: Store, workspace: WorkspaceKey, experiment: str, expression: str | None) -> list[dict]:
    """Run history's metric query (``experiments/<name>/metrics:query``), which the run widget
    sends for a parent's children: every logged row of the experiment's runs that matches the
    OData filter (``RunId``, ``MetricType``, ``Name``, ``CreatedUtc``), one run metric per row,
    in the order logged."""
    rows = store.query("SELECT m.run_id, m.name, m.columns, m.properties, m.row FROM metrics m JOIN runs r "
                       "ON r.workspace = m.workspace AND r.run_id = m.run_id WHERE m.workspace=? AND r.experiment=? "
                       "ORDER BY m.seq", (str(workspace), experiment))
    found = []
    for row in rows:
        value, columns = store.loads(row["row"]), store.loads(row["columns"])
        metric_type = (store.loads(row["properties"]) or {}).get("uxMetricType", "azureml.v1.scalar")
        fields = {"RunId": row["run_id"], "MetricType": metric_type, "Name": row["name"],
                  "CreatedUtc": value.get("createdUtc")}
        if odata.matches(expression, lambda path: fields.get(path, odata.MISSING)):
            found.append({
                "runId": row["run_id"], "metricId": value.get("metricId"), "dataContainerId": data_container_id(row["run_id"]),
                "metricType": metric_type, "createdUtc": value.get("createdUtc"), "name": row["name"],
                "numCells": 1, "cells": [value["data"]],
                "schema": {"numProperties": len(columns), "properties": [
                    {"propertyId": column, "name": column, "type": kind} for column, kind in columns.items()]}})
    return found
