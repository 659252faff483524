"""The routing table of the whole emulator: each emulated Azure service's table, in the
order the router tries them (see `rest.router` for the rules). To emulate a new service,
write its ``<service>/api.py`` with a ``ROUTES`` table and add it here."""
from __future__ import annotations

from azureml_emulator.artifacts import api as artifacts
from azureml_emulator.environments import api as environments
from azureml_emulator.models import api as models
from azureml_emulator.rest.router import Router
from azureml_emulator.webservices import api as webservices
from azureml_emulator.workspaces import api as workspaces

TABLES = (
    ("Service discovery", workspaces.ROUTES),
    ("Model Management: models and assets", models.ROUTES),
    ("Model Management: web services and operations", webservices.ROUTES),
    ("Environment registry", environments.ROUTES),
    ("Artifact content", artifacts.ROUTES),
)

ROUTER = Router(table for _title, table in TABLES)
