"""Which Azure services the emulator answers: each emulated service's table of routes, in
the order the router tries them (see `rest.router` for the rules). The transport (in-process)
and a job's bridge (for a job's own process) answer from this one `ROUTER`. To emulate a new
service, write its ``<service>/api.py`` with a ``ROUTES`` table and add it here."""
from __future__ import annotations

from azureml_emulator.artifacts import api as artifacts
from azureml_emulator.azure_storage import api as storage
from azureml_emulator.azure_storage import files_api as file_shares
from azureml_emulator.compute import api as compute
from azureml_emulator.datasets import api as datasets
from azureml_emulator.datastores import api as datastores
from azureml_emulator.environments import api as environments
from azureml_emulator.jobs import api as jobs
from azureml_emulator.metrics import api as metrics
from azureml_emulator.models import api as models
from azureml_emulator.pipelines import api as pipelines
from azureml_emulator.pipelines import drafts_api as pipeline_drafts
from azureml_emulator.pipelines import modules_api as pipeline_modules
from azureml_emulator.pipelines import schedules_api as schedules
from azureml_emulator.profiles import api as profiles
from azureml_emulator.rest.router import Router
from azureml_emulator.runs import api as runs
from azureml_emulator.snapshots import api as snapshots
from azureml_emulator.sweeps import api as sweeps
from azureml_emulator.tracking import api as tracking
from azureml_emulator.tracking import registry_api as mlflow_registry
from azureml_emulator.webservices import api as webservices
from azureml_emulator.workspaces import api as workspaces

TABLES = (
    ("Service discovery", workspaces.ROUTES),
    ("Model Management: models and assets", models.ROUTES),
    ("Model Management: web services and operations", webservices.ROUTES),
    ("Model Management: profiles", profiles.ROUTES),
    ("Environment registry", environments.ROUTES),
    ("Artifacts: run files and their content", artifacts.ROUTES),
    ("Run history: experiments and runs", runs.ROUTES),
    ("Metrics", metrics.ROUTES),
    ("Content: snapshots", snapshots.ROUTES),
    ("Execution: script runs", jobs.ROUTES),
    ("HyperDrive: sweeps", sweeps.ROUTES),
    ("Pipelines: schedules", schedules.ROUTES),
    ("Pipelines: modules, graphs and pipeline runs", pipelines.ROUTES),
    ("Pipelines: drafts", pipeline_drafts.ROUTES),
    ("Pipelines: Azure ML modules and their versions", pipeline_modules.ROUTES),
    ("MLflow tracking", tracking.ROUTES),
    ("MLflow model registry", mlflow_registry.ROUTES),
    ("Compute: clusters (resource provider and Resource Manager)", compute.ROUTES),
    ("Datastores", datastores.ROUTES),
    ("Datasets", datasets.ROUTES),
    ("Blob Storage", storage.ROUTES),
    ("Azure Files: file shares", file_shares.ROUTES),
)

ROUTER = Router(table for _title, table in TABLES)
