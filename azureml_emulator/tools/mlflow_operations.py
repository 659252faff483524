"""MLflow's own REST operations, as azureml-mlflow sends them, for the coverage page.

azureml-mlflow's tracking and model-registry stores are MLflow's ``RestStore``s pointed at
the workspace: each call is one of MLflow's RPCs, declared in MLflow's protocol buffers
(``MlflowService``, ``ModelRegistryService``) with its HTTP method and path. The store sends
an RPC's first endpoint under ``/api/<since major>.0`` of the tracking URI, whose path is the
workspace's MLflow base (``/mlflow/v2.0/subscriptions/...``). This module reads those
declarations from the installed MLflow, so it imports MLflow (a few seconds): the router
never uses it, only `tools.coverage`.
"""
from __future__ import annotations

import functools
import importlib
from typing import Any

from azureml_emulator.rest.catalogue import Operation

# The workspace's MLflow base, as azureml-mlflow makes the tracking URI (`tracking.api.MLFLOW`).
BASE = ("/mlflow/v2.0/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}"
        "/providers/Microsoft.MachineLearningServices/workspaces/{workspaceName}")
# The services azureml-mlflow's stores call: (module of MLflow's protos, service name).
SERVICES = (("mlflow.protos.service_pb2", "MlflowService"),
            ("mlflow.protos.model_registry_pb2", "ModelRegistryService"))


def _rpc_options(method: Any, databricks: Any) -> tuple[str, str, int] | None:
    endpoints = method.GetOptions().Extensions[databricks.rpc].endpoints
    if not endpoints:
        return None
    first = endpoints[0]
    return first.method, "/" + first.path.lstrip("/"), first.since.major or 2


@functools.lru_cache(maxsize=1)
def operations() -> tuple[Operation, ...]:
    """Every RPC of the services azureml-mlflow calls, in MLflow's order (none without MLflow)."""
    try:
        databricks = importlib.import_module("mlflow.protos.databricks_pb2")
        services = [getattr(importlib.import_module(module), name) for module, name in SERVICES]
    except ImportError:
        return ()
    found = []
    for service in services:
        for method in service.DESCRIPTOR.methods:
            options = _rpc_options(method, databricks)
            if options is not None:
                verb, path, major = options
                found.append(Operation("{}.{}".format(service.DESCRIPTOR.name, method.name), verb,
                                       "{}/api/{}.0{}".format(BASE, major, path)))
    return tuple(found)
