"""Service discovery: where a workspace's Azure ML services live. Every one of them is
at the emulator's host, so the SDK's clients that look their endpoint up themselves
(datastores, datasets) reach the emulator, and get its answer or its clear
"not emulated" error."""
from __future__ import annotations

from azureml_emulator.rest.reply import Reply
from azureml_emulator.rest.request import Request
from azureml_emulator.rest.router import Route
from azureml_emulator.workspaces import backend


def discovery(request: Request) -> Reply:
    return Reply(200, backend.service_endpoints())


ROUTES = (
    Route("GET", "/discovery", discovery),
)
