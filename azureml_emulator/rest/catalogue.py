"""The SDK's own REST operations, read from its generated clients: the specification
the emulator answers to.

azureml-core's autorest clients declare each operation's URL template beside it
(``<operation>.metadata = {'url': ...}``) and send it with one HTTP verb. This module
reads those sources with `ast` (nothing is imported or run), so the router can name the
SDK operation behind a request nobody emulates (`operations`, over the clients of the
services the emulator's host stands for), and `tools.coverage` can list every operation of
every client the SDK's packages ship, emulated or not (`CLIENTS`, `client_operations`).
"""
from __future__ import annotations

import ast
import functools
import importlib.util
import re
from dataclasses import dataclass
from pathlib import Path

VERBS = ("get", "put", "post", "delete", "patch", "head")
# The pipeline service's generated names repeat the workspace scope: "api_v10_subscriptions_by_...
# _workspaces_by_workspace_name_data_types_get" is named "data_types_get".
LONG_PREFIX = re.compile(r"^api_v10_subscriptions_by_subscription_id_resource_groups?_by_resource_group_name_providers_"
                         r"microsoft_machine_learning_services_workspaces_by_workspace_name_")


@dataclass(frozen=True)
class Client:
    """One generated REST client of the SDK: the package that ships it, its folder under
    ``azureml/``, the path prefix its base URL adds to the templates, and what it is for."""

    package: str
    folder: str
    purpose: str
    prefix: str = ""


# The clients of the services the router names in its "not emulated" answers: the workspace's
# services and the pipeline service (whose base URL is the discovered host; its templates carry
# "/pipelines/v1.0"). HyperDrive's client is given ".../hyperdrive/v1.0" as its base URL. Vendored
# Storage, Resources and Network clients go to other hosts, which the transport refuses anyway.
ROUTED_CLIENTS = (
    Client("azureml-core", "_restclient",
           "the workspace's services: run history, artifacts, Model Management, environments, datastores..."),
    Client("azureml-core", "_base_sdk_common/workspace/operations",
           "Resource Manager: workspaces, computes, connections, quotas"),
    Client("azureml-dataset-runtime", "data/_restclient", "the dataset service, with its model and run-history parts"),
    Client("azureml-train-core", "train/restclients/hyperdrive", "HyperDrive sweeps", "/hyperdrive/v1.0"),
    Client("azureml-pipeline-core", "pipeline/core/_restclients/aeva", "the pipeline service (AE3P)"),
)
# Every client the coverage page lists: those, then azureml-mlflow's, which repeat some of
# azureml-core's operations under other names (its MLflow REST calls themselves are MLflow's,
# read from MLflow's protocol by `tools.mlflow_operations`).
CLIENTS = ROUTED_CLIENTS + (
    Client("azureml-mlflow", "mlflow/_restclient/artifact", "artifact listings and uploads (local_artifact_client)"),
    Client("azureml-mlflow", "mlflow/_restclient/run_artifact", "a run's artifacts (run_artifact_client)"),
    Client("azureml-mlflow", "mlflow/_restclient/token", "a run's token, for its authentication"),
    Client("azureml-mlflow", "mlflow/_restclient/registry_discovery", "finding a registry (registry_client)"),
    Client("azureml-mlflow", "mlflow/_restclient/mfe_v2021_10_01_dataplanepreview",
           "models in registries (registry_client)"),
    Client("azureml-mlflow", "mlflow/_restclient/mms", "mlflow.deployments to ACI and AKS (Model Management)"),
    Client("azureml-mlflow", "mlflow/_restclient/mfe_v2022_02_01_preview",
           "mlflow.deployments to online and batch endpoints (Resource Manager, v2)"),
)


@dataclass(frozen=True)
class Operation:
    name: str          # e.g. "RunOperations.get_details"
    method: str        # "GET", ... or "" when the source does not say
    url: str           # the URL template, e.g. "/history/v1.0/subscriptions/{subscriptionId}/..."

    @functools.cached_property
    def pattern(self) -> re.Pattern:
        return re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(self.url)) + "/?$")

    def matches(self, method: str, path: str) -> bool:
        return (not self.method or self.method == method) and bool(self.pattern.match(path))


def _sdk_root() -> Path | None:
    spec = importlib.util.find_spec("azureml")
    locations = list(spec.submodule_search_locations or []) if spec else []
    return Path(locations[0]) if locations else None


def _builder_methods(tree: ast.Module) -> dict[str, str]:
    """Newer autorest: module-level ``build_x_request`` functions naming their verb."""
    methods = {}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name.startswith("build_"):
            for call in ast.walk(node):
                for keyword in getattr(call, "keywords", []) if isinstance(call, ast.Call) else []:
                    if keyword.arg == "method" and isinstance(keyword.value, ast.Constant):
                        methods[node.name] = str(keyword.value.value).upper()
    return methods


def _verb(function: ast.FunctionDef | ast.AsyncFunctionDef, builders: dict[str, str],
          siblings: dict[str, ast.FunctionDef | ast.AsyncFunctionDef] | None = None) -> str:
    """The HTTP verb a generated operation sends; a long-running one (``delete`` or
    ``begin_delete``) sends it from the ``_delete_initial`` it calls (its own calls only poll)."""
    calls = [call for call in ast.walk(function) if isinstance(call, ast.Call)]
    for call in calls:
        target = call.func
        if (siblings and isinstance(target, ast.Attribute) and target.attr.endswith("_initial")
                and target.attr in siblings):
            return _verb(siblings[target.attr], builders)
    for call in calls:
        target = call.func
        if isinstance(target, ast.Attribute) and target.attr in VERBS and "_client" in ast.unparse(target.value):
            return target.attr.upper()
        if isinstance(target, ast.Name) and target.id in builders:
            return builders[target.id]
    return ""


def _text(node: ast.expr) -> str | None:
    """A string literal, or literals joined with ``+`` (some clients split a long template so)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _text(node.left), _text(node.right)
        return left + right if left is not None and right is not None else None
    return None


def _operations_in(path: Path, prefix: str = "") -> list[Operation]:
    tree = ast.parse(path.read_text(encoding="utf-8", errors="replace"))
    builders = _builder_methods(tree)
    found = []
    for cls in (n for n in tree.body if isinstance(n, ast.ClassDef)):
        functions = {n.name: n for n in cls.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
        for statement in cls.body:
            if not (isinstance(statement, ast.Assign) and isinstance(statement.value, ast.Dict)):
                continue
            target = statement.targets[0]
            if not (isinstance(target, ast.Attribute) and target.attr == "metadata"
                    and isinstance(target.value, ast.Name)):
                continue
            for key, value in zip(statement.value.keys, statement.value.values):
                url = _text(value)
                if isinstance(key, ast.Constant) and key.value == "url" and url is not None:
                    function = functions.get(target.value.id)
                    verb = _verb(function, builders, functions) if function is not None else ""
                    name = LONG_PREFIX.sub("", target.value.id)
                    found.append(Operation("{}.{}".format(cls.name, name), verb, prefix + url))
    return found


@functools.lru_cache(maxsize=None)
def client_operations(client: Client) -> tuple[Operation, ...]:
    """Every public operation of one client, in a stable order (none when its package is not installed)."""
    root = _sdk_root()
    if root is None:
        return ()
    files = sorted(path for path in (root / client.folder).rglob("*.py") if "/aio/" not in path.as_posix())
    return tuple(operation for path in files for operation in _operations_in(path, client.prefix)
                 if not operation.name.split(".")[-1].startswith("_"))


@functools.lru_cache(maxsize=1)
def operations() -> tuple[Operation, ...]:
    """Every operation of the clients the router names, in a stable order."""
    return tuple(operation for client in ROUTED_CLIENTS for operation in client_operations(client))


def find(method: str, path: str) -> list[Operation]:
    return [operation for operation in operations() if operation.matches(method, path)]


def describe(method: str, path: str) -> str:
    """How a "not emulated" error names a request: the SDK operation(s) it belongs to, and the call."""
    names = sorted({operation.name for operation in find(method, path)})
    call = "{} {}".format(method, path)
    return "{} ({})".format(" or ".join(names), call) if names else call
