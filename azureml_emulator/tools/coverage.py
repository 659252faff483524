"""The emulator's coverage page, generated from the code: every operation of the SDK's
REST clients, emulated or not, and the table of the routes the emulator answers.

An operation is emulated when a route of `runtime.routes` answers it: the route's method is
the operation's and the route's template, filled in, matches the operation's URL template
(`rest.catalogue`). The clients are the generated ones the SDK's packages ship
(`catalogue.CLIENTS`) and MLflow's RPCs that azureml-mlflow sends (`tools.mlflow_operations`).
A route added to the table (a new service's) shows up here once the page is regenerated.

    python -m azureml_emulator.tools.coverage                 # print the page
    python -m azureml_emulator.tools.coverage --write         # write docs/emulator/coverage.md
    python -m azureml_emulator.tools.coverage --check         # exit 1 when that file is out of date
"""
from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Iterable, Sequence

from azureml_emulator.rest import catalogue
from azureml_emulator.rest.catalogue import Operation
from azureml_emulator.rest.router import Route
from azureml_emulator.runtime.routes import TABLES
from azureml_emulator.tools import mlflow_operations

PAGE = Path(__file__).resolve().parents[2] / "docs" / "emulator" / "coverage.md"
COMMAND = "python -m azureml_emulator.tools.coverage --write"
SAMPLE_SCOPE = "/subscriptions/s/resourceGroups/r/providers/Microsoft.MachineLearningServices/workspaces/w"
# A workspace's path prefix in an operation's template, whatever its placeholders are called.
WORKSPACE = re.compile(r"/subscriptions/\{\w+\}/resourceGroups/\{\w+\}"
                       r"/providers/Microsoft\.MachineLearningServices/workspaces/\{\w+\}")
RESOURCE_PATHS = "resource paths (`/subscriptions/...`)"
PACKAGES = ("azureml-core", "azureml-dataset-runtime", "azureml-train-core", "azureml-mlflow",
            "mlflow-skinny", "azureml-pipeline-core")


@dataclass(frozen=True)
class Group:
    """The operations of one client, under the heading the page gives them."""

    title: str
    purpose: str
    operations: tuple[Operation, ...]


def groups() -> list[Group]:
    """Every client's operations: the generated clients, then MLflow's REST API."""
    found = [Group("{}: `azureml/{}`".format(client.package, client.folder), client.purpose,
                   catalogue.client_operations(client)) for client in catalogue.CLIENTS]
    found.append(Group("mlflow-skinny: MLflow's REST API", "what azureml-mlflow's tracking and model "
                       "registry stores send (MLflow's RestStore, read from MLflow's protocol)",
                       mlflow_operations.operations()))
    return found


def sample_path(route: Route) -> str:
    """A concrete path the route answers, to look up the SDK operation behind it."""
    path = route.template.replace("{workspace}", SAMPLE_SCOPE)
    return re.sub(r"\{(\w+)(:path)?\}", "x", path)   # one segment suits a {x:path} placeholder too


def routes() -> list[tuple[str, Route]]:
    return [(title, route) for title, table in TABLES for route in table]


def answering(operation: Operation) -> list[Route]:
    """The routes that answer an operation's requests."""
    return [route for _title, route in routes() if operation.matches(route.method, sample_path(route))]


def short(url: str) -> str:
    return WORKSPACE.sub("{ws}", url).replace("|", "\\|")


def service(operation: Operation) -> str:
    """The service an operation belongs to: its path's service prefix (``/history/v1.0``), Azure
    resource paths (Resource Manager's, or a registry's), or MLflow's service name for an MLflow RPC."""
    kind = operation.name.split(".")[0]
    if kind.endswith("Service"):
        return kind
    first, _, rest = operation.url.lstrip("/").partition("/")
    if first in ("subscriptions", "providers") or first.startswith("{"):
        return RESOURCE_PATHS
    return "/{}/{}".format(first, rest.split("/")[0]) if rest else "/" + first


def _count(operations: Iterable[Operation]) -> tuple[int, int]:
    listed = list(operations)
    return sum(1 for operation in listed if answering(operation)), len(listed)


def _versions() -> str:
    installed = []
    for package in PACKAGES:
        try:
            installed.append("{} {}".format(package, metadata.version(package)))
        except metadata.PackageNotFoundError:
            installed.append("{} (not installed)".format(package))
    return ", ".join(installed)


def _anchor(title: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces as dashes."""
    return re.sub(r"[^\w\- ]", "", title.lower()).replace(" ", "-")


def route_table() -> list[str]:
    lines = ["| service | method | route | SDK operation |", "|---|---|---|---|"]
    for title, route in routes():
        names = sorted({op.name for op in catalogue.find(route.method, sample_path(route))})
        shown = route.template.replace("{workspace}", "{ws}").replace("|", "\\|")
        lines.append("| {} | {} | `{}` | {} |".format(
            title, route.method, shown, ", ".join("`{}`".format(n) for n in names) or "no generated operation"))
    return lines


def page() -> str:
    listed = groups()
    counts = [_count(group.operations) for group in listed]
    emulated, total = sum(c[0] for c in counts), sum(c[1] for c in counts)
    lines = [
        "# Coverage: the SDK's REST operations, emulated or not",
        "",
        "<!-- Generated by `{}`; a test fails when it is out of date. Do not edit by hand. -->".format(COMMAND),
        "",
        "Every operation of the REST clients the Azure ML SDK v1 packages generate, and every MLflow",
        "RPC azureml-mlflow sends, with whether the emulator answers it. An operation is emulated",
        "when a route of the emulator's table answers its method and URL; some answer as Azure does",
        "with a refusal (MLflow's logged-models API: 404, as Azure ML's MLflow server). Any other",
        "request to an emulator host gets HTTP 501 \"not emulated by azureml_emulator: <operation>\".",
        "Missing something you need? See [how to report a gap](README.md#reporting-a-gap).",
        "",
        "Read from: {}. `{{ws}}` stands for".format(_versions()),
        "`/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/"
        "Microsoft.MachineLearningServices/workspaces/{workspaceName}`.",
        "",
        "| client | what the SDK uses it for | emulated | operations |",
        "|---|---|---|---|",
    ]
    for group, (done, count) in zip(listed, counts):
        lines.append("| [{}](#{}) | {} | {} | {} |".format(group.title.replace("`", ""), _anchor(group.title),
                                                        group.purpose, done, count))
    lines += ["| **all** | | **{}** | **{}** |".format(emulated, total), ""]
    for group, (done, count) in zip(listed, counts):
        lines += ["## {}".format(group.title), "", "{}: {} of {} emulated.".format(group.purpose, done, count), ""]
        if not group.operations:
            lines += ["(the package is not installed, so its operations could not be read)", ""]
            continue
        services: dict[str, list[Operation]] = {}
        for operation in group.operations:
            services.setdefault(service(operation), []).append(operation)
        for name, operations in services.items():
            lines += ["### {} in {}: {} of {} emulated".format(
                name if name.endswith("Service") or name == RESOURCE_PATHS else "`{}`".format(name),
                group.title.split(":")[0], *_count(operations)), "",
                "| emulated | operation | method | URL |", "|---|---|---|---|"]
            for operation in operations:
                lines.append("| {} | `{}` | {} | `{}` |".format("yes" if answering(operation) else "no", operation.name,
                                                               operation.method or "?", short(operation.url)))
            lines.append("")
    lines += ["## Routes the emulator answers", "",
              "The route table (`runtime/routes.py`), in the order the router tries it, with the SDK operations",
              "(of the clients the router names in its 501 answers) that send each route's requests.",
              "Model Management's validation and profile URLs and the environment registry's are built",
              "by hand in the SDK, so they have no generated operation.", ""]
    lines += route_table()
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--write", nargs="?", const=str(PAGE), metavar="PATH", help="write the page (default: %(const)s)")
    group.add_argument("--check", nargs="?", const=str(PAGE), metavar="PATH",
                       help="exit 1 if the page differs from what the code generates (default: %(const)s)")
    args = parser.parse_args(argv)
    generated = page()
    if not (args.write or args.check):
        print(generated, end="")
        return 0
    path = Path(args.write or args.check)
    if args.check:
        if not path.exists() or path.read_text(encoding="utf-8") != generated:
            print("{} is out of date with the code (routes or the SDK's clients changed); regenerate it with: "
                  "{} {}".format(path, COMMAND, path), file=sys.stderr)
            return 1
        return 0
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(generated, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
