"""Operations on an emulator home that need no SDK: listing, logs, deletion, reset.

Everything goes through the backends, so the CLI shows what the SDK would see (a
service's live state, not a stale stored one).
"""
from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path
from typing import Any

from azureml_emulator.compute import backend as compute
from azureml_emulator.environments import backend as environments
from azureml_emulator.environments import builder, definition
from azureml_emulator.errors import NotFound, StateError
from azureml_emulator.models import backend as models
from azureml_emulator.pipelines import scheduler, schedules
from azureml_emulator.profiles import backend as profiles
from azureml_emulator.runs import backend as runs
from azureml_emulator.store import Store
from azureml_emulator.store.database import DATABASE_NAME
from azureml_emulator.webservices import backend as webservices
from azureml_emulator.webservices import repository
from azureml_emulator.webservices.records import ServiceRecord


def list_models(store: Store) -> list[dict[str, Any]]:
    return models.list_all(store)


def list_environments(store: Store) -> list[dict[str, Any]]:
    return environments.list_all(store)


def build_environment(store: Store, name: str, version: str | None = None,
                      workspace: str | None = None) -> builder.Build:
    """Build a registered environment now (while online), so later deployments reuse it."""
    found = [(ws, d) for ws, d in environments.find_anywhere(store, name, version)
             if workspace is None or ws.name == workspace or str(ws) == workspace]
    if not found:
        raise NotFound("no environment named '{}'{} in {}".format(
            name, " version " + version if version else "", store.home))
    if len(found) > 1:
        raise NotFound("several workspaces have an environment named '{}' ({}): name one with --workspace".format(
            name, ", ".join(ws.name for ws, _ in found)))
    return builder.prepare(definition.read(found[0][1]))


def list_builds() -> list[dict[str, Any]]:
    return [dict(build, last_used=datetime.fromtimestamp(build["last_used"]).strftime("%Y-%m-%d %H:%M"))
            for build in builder.list_builds()]


def list_services(store: Store) -> list[dict[str, Any]]:
    """Every service of the home with its live state."""
    return [dict(workspace=str(s.workspace), name=s.name, state=s.state, scoring_uri=s.payload.get("scoringUri"),
                 pid=s.process.pid if s.process else None, log=s.process.log if s.process else None)
            for s in webservices.list_services(store)]


def list_runs(store: Store) -> list[dict[str, Any]]:
    """Every run, newest first, with its live state (a run whose job died is Failed)."""
    rows = []
    for workspace, run in reversed(runs.all_runs(store)):
        run = runs.refresh(store, workspace, run)
        process = runs.process_of(store, workspace, run["runId"]) or {}
        rows.append({"workspace": workspace.name, "experiment": run["experimentName"], "run_id": run["runId"],
                     "status": run["status"], "target": run.get("target") or "", "folder": process.get("dir") or ""})
    return rows


def list_computes(store: Store) -> list[dict[str, Any]]:
    return [{"workspace": workspace.name, "name": cluster["name"], "vm_size": cluster["vmSize"],
             "max_nodes": cluster["scaleSettings"]["maxNodeCount"]} for workspace, cluster in compute.all_clusters(store)]


def _find_service(store: Store, name: str) -> ServiceRecord:
    found = repository.find_by_name(store, name)
    if not found:
        raise NotFound("no service named '{}' in {}".format(name, store.home))
    if len(found) > 1:
        raise NotFound("several workspaces have a service named '{}'".format(name))
    return found[0]


def service_log(store: Store, name: str) -> str:
    service = _find_service(store, name)
    log = Path(service.process.log) if service.process and service.process.log else None
    return log.read_text(errors="replace") if log and log.is_file() else ""


def delete_service(store: Store, name: str) -> None:
    webservices.remove(store, _find_service(store, name))


def stop_all_services(home: str | Path, created_since: datetime | None = None) -> int:
    """Stop the services of this home (only those created at or after ``created_since``,
    a UTC datetime, when given) and forget them; returns how many."""
    if not (Path(home) / DATABASE_NAME).exists():
        return 0
    store = Store(home)
    try:
        doomed = [s for s in repository.list_in(store)
                  if created_since is None or datetime.fromisoformat(s.payload["createdTime"]) >= created_since]
        for service in doomed:
            webservices.remove(store, service)
        return len(doomed)
    finally:
        store.close()


def list_schedules(store: Store) -> list[dict[str, Any]]:
    """Every pipeline schedule of the home: what it submits, when, and its last run."""
    rows = []
    for workspace, schedule in schedules.everywhere(store):
        last = schedules.last_run(store, workspace, schedule["Id"])
        if schedule["ScheduleType"] == "Recurrence":
            rule = schedule["Recurrence"]
            when = "every {} {}{}".format(rule["Interval"], rule["Frequency"].lower(), "s" if rule["Interval"] > 1 else "")
        else:
            trigger = schedule["DataStoreTriggerInfo"]
            when = "changes in {}/{} (every {} min)".format(trigger["DataStoreName"], trigger["PathOnDataStore"] or "",
                                                            trigger["PollingInterval"])
        rows.append({"workspace": workspace.name, "name": schedule["Name"], "id": schedule["Id"],
                     "status": schedule["EntityStatus"], "fires": when,
                     "pipeline": schedule.get("PipelineId") or "endpoint " + str(schedule.get("PipelineEndpointId")),
                     "last_run": last["Id"] if last else ""})
    return rows


def scheduler_state(home: str | Path) -> dict[str, Any]:
    return scheduler.state(home)


def stop_scheduler(home: str | Path) -> bool:
    return scheduler.stop(home)


def stop_all(home: str | Path, created_since: datetime | None = None) -> int:
    """Stop this home's pipeline scheduler (first: it would submit runs), services, unfinished jobs and
    model profiles (those started or created at or after ``created_since``, when given); returns how many."""
    stopped = int(scheduler.stop(home, created_since.timestamp() if created_since else None))
    stopped += stop_all_services(home, created_since)
    if not (Path(home) / DATABASE_NAME).exists():
        return stopped
    store = Store(home)
    try:
        doomed = [(w, r) for w, r in runs.all_runs(store) if created_since is None
                  or datetime.fromisoformat(r["createdUtc"].replace("Z", "+00:00")) >= created_since]
        profilers = profiles.stop_unfinished(store, created_since.timestamp() if created_since else None)
        return stopped + runs.stop_jobs(store, doomed) + profilers
    finally:
        store.close()


def reset(home: str | Path) -> None:
    """Stop all services and jobs, then remove everything the emulator stored in this home
    (an unreadable database is removed too: no service can be found in it)."""
    try:
        stop_all(home)
    except StateError:
        pass
    home = Path(home)
    for child in home.iterdir() if home.is_dir() else []:
        if child.is_dir():
            shutil.rmtree(child)
        else:
            child.unlink()
