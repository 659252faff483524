"""The emulator's modules read top down: no module imports one from a higher layer.

The layers, bottom to top (the first pattern a module matches decides its layer):

1. base: the small modules every layer uses (identifiers, paths, errors, timestamps, tokens,
   addresses, the processes the emulator started).
2. state: the state database (`store`) and the emulator active in this process (`context`).
3. contracts: what the emulator and the processes it starts share, and the modules that run
   inside those processes (copied beside them, standard library only).
4. domain: every service's backend and helpers, the data it serves, environment builds.
5. http: the HTTP layer between the SDK's requests and the services (`rest`), and Storage's
   own error replies.
6. api: every service's endpoints.
7. routes: the table of every service's endpoints.
8. runtime: turning the emulator on and off, the SDK seams, and the processes that serve the
   route table to a job (the job, sweep and profile supervisors, in `execution`).
9. tools: what people run around the emulator, and the package's front door.

Run as a script to list the upward imports of a tree: ``python tests/test_layers.py [PACKAGE_DIR]``.
"""
from __future__ import annotations

import ast
import sys
from fnmatch import fnmatchcase
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "azureml_emulator"
P = "azureml_emulator"

LAYERS: list[tuple[str, tuple[str, ...]]] = [
    ("base", tuple(f"{P}.{name}" for name in
                   ("errors", "ids", "fields", "paths", "timestamps", "tokens", "addresses", "processes"))),
    ("state", (f"{P}.store", f"{P}.store.*", f"{P}.context")),
    ("contracts", tuple(f"{P}.execution.{name}" for name in
                        ("job_contract", "service_contract", "after_import", "job_runtime", "service_process",
                         "service_app", "supervisor", "launch"))),
    ("routes", (f"{P}.runtime.routes",)),
    ("domain", (f"{P}.execution.isolation",)),
    ("runtime", (f"{P}.runtime.*", f"{P}.*.sdk", f"{P}.webservices.local", f"{P}.execution.*")),
    ("http", (f"{P}.rest", f"{P}.rest.*", f"{P}.*.replies")),
    ("api", (f"{P}.*.api", f"{P}.*_api", f"{P}.*.public_files")),
    ("tools", (f"{P}", f"{P}.__main__", f"{P}.tools.*")),
    ("domain", (f"{P}.*",)),
]
ORDER = ["base", "state", "contracts", "domain", "http", "api", "routes", "runtime", "tools"]


def layer_of(module: str) -> str:
    for layer, patterns in LAYERS:
        if any(fnmatchcase(module, pattern) for pattern in patterns):
            return layer
    raise ValueError(module)


def modules_of(package: Path) -> dict[str, Path]:
    found = {}
    for path in package.rglob("*.py"):
        parts = path.relative_to(package.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def imports_of(module: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The package's modules that ``module`` imports, at any depth (lazy imports too)."""
    def known(name: str) -> str | None:
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name or None

    anchor = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    targets = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            targets.update(known(alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            prefix = node.module or ""
            if node.level:
                prefix = ".".join(anchor[: len(anchor) - node.level + 1] + ([prefix] if prefix else []))
            targets.update(known(f"{prefix}.{alias.name}") for alias in node.names)
    return {t for t in targets if t and t != module and t.startswith(P)}


def upward_imports(package: Path = PACKAGE) -> list[tuple[str, str]]:
    modules = modules_of(package)
    upward = []
    for module, path in sorted(modules.items()):
        for target in sorted(imports_of(module, path, modules)):
            if ORDER.index(layer_of(target)) > ORDER.index(layer_of(module)):
                upward.append((module, target))
    return upward


def test_no_module_imports_from_a_higher_layer() -> None:
    assert [f"{a} ({layer_of(a)}) -> {b} ({layer_of(b)})" for a, b in upward_imports()] == []


def test_every_layer_has_a_module() -> None:
    """A renamed module falls to another layer: each layer keeps at least one module."""
    assert {layer_of(m) for m in modules_of(PACKAGE)} == set(ORDER)


if __name__ == "__main__":
    found = upward_imports(Path(sys.argv[1]).resolve() if len(sys.argv) > 1 else PACKAGE)
    for source, target in found:
        print(f"{source} ({layer_of(source)}) -> {target} ({layer_of(target)})")
    print(f"{len(found)} upward imports")
