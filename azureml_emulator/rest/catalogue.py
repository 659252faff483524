"""The SDK's own REST operations, read from its generated clients: the specification
the emulator answers to.

azureml-core's autorest clients declare each operation's URL template beside it
(``<operation>.metadata = {'url': ...}``) and send it with one HTTP verb. This module
reads those sources with `ast` (nothing is imported or run), so the router can name the
SDK operation behind a request nobody emulates, and `tools.coverage` can list which
operations the emulator answers.
"""
from __future__ import annotations

import ast
import functools
import importlib.util
import re
from dataclasses import dataclass
from pathlib import Path

# The generated clients that talk to the Azure ML service host (storage and Resource
# Manager clients go to other hosts, which the transport refuses anyway), with the path
# prefix their base URL adds to the templates (HyperDrive's client is given ".../hyperdrive/v1.0";
# the pipeline service's templates start with "/pipelines/v1.0" themselves).
CLIENT_FOLDERS = {"_restclient": "", "_base_sdk_common/workspace/operations": "", "data/_restclient": "",
                  "train/restclients/hyperdrive": "/hyperdrive/v1.0", "pipeline/core/_restclients/aeva": ""}
# The pipeline service's generated names repeat the workspace scope: "api_v10_subscriptions_by_...
# _workspaces_by_workspace_name_data_types_get" is named "data_types_get".
LONG_PREFIX = re.compile(r"^api_v10_subscriptions_by_subscription_id_resource_groups?_by_resource_group_name_providers_"
                         r"microsoft_machine_learning_services_workspaces_by_workspace_name_")
VERBS = ("get", "put", "post", "delete", "patch", "head")


@dataclass(frozen=True)
class Operation:
    name: str          # e.g. "RunOperations.get_details"
    method: str        # "GET", ... or "" when the source does not say
    url: str           # the URL template, e.g. "/history/v1.0/subscriptions/{subscriptionId}/..."

    @property
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


def _verb(function: ast.FunctionDef, builders: dict[str, str]) -> str:
    for call in ast.walk(function):
        if not isinstance(call, ast.Call):
            continue
        target = call.func
        if isinstance(target, ast.Attribute) and target.attr in VERBS and "_client" in ast.unparse(target.value):
            return target.attr.upper()
        if isinstance(target, ast.Name) and target.id in builders:
            return builders[target.id]
    return ""


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
                if isinstance(key, ast.Constant) and key.value == "url" and isinstance(value, ast.Constant):
                    function = functions.get(target.value.id)
                    verb = _verb(function, builders) if function is not None else ""
                    name = LONG_PREFIX.sub("", target.value.id)
                    found.append(Operation("{}.{}".format(cls.name, name), verb, prefix + value.value))
    return found


@functools.lru_cache(maxsize=1)
def operations() -> tuple[Operation, ...]:
    """Every operation of the SDK's generated Azure ML clients, in a stable order."""
    root = _sdk_root()
    if root is None:
        return ()
    files = sorted({(path, prefix) for folder, prefix in CLIENT_FOLDERS.items() for path in (root / folder).rglob("*.py")
                    if "/aio/" not in path.as_posix()})
    return tuple(operation for path, prefix in files for operation in _operations_in(path, prefix))


def find(method: str, path: str) -> list[Operation]:
    return [operation for operation in operations() if operation.matches(method, path)]


def describe(method: str, path: str) -> str:
    """How a "not emulated" error names a request: the SDK operation(s) it belongs to, and the call."""
    names = sorted({operation.name for operation in find(method, path)})
    call = "{} {}".format(method, path)
    return "{} ({})".format(" or ".join(names), call) if names else call
