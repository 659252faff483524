"""What a process in a built Environment sees of this package: only the few modules it
runs, copied beside it, and none of the kernel's packages.

Which modules those are is read from the code: the entry modules a contract names
(`job_contract.ENTRY_MODULE`, `service_contract.ENTRY_MODULES`) and every module of this
package they import, at any depth, so a new import is copied without a list to keep."""
from __future__ import annotations

import ast
import os
import shutil
from pathlib import Path
from typing import Iterable

from azureml_emulator.environments import builder

PACKAGE_DIR = Path(__file__).resolve().parents[1]
PASSED_THROUGH = ("PATH", "HOME", "USER", "LOGNAME", "SHELL", "LANG", "LANGUAGE", "TZ", "TMPDIR", "TERM")


def _module_file(name: str, package_dir: Path) -> Path | None:
    """The file of module ``name`` (``azureml_emulator.x.y``) inside ``package_dir``, if any."""
    parts = name.split(".")[1:]
    for candidate in (package_dir.joinpath(*parts).with_suffix(".py") if parts else None,
                      package_dir.joinpath(*parts, "__init__.py")):
        if candidate is not None and candidate.is_file():
            return candidate
    return None


def _imported(name: str, path: Path) -> set[str]:
    """The names of this package's modules that module ``name`` (at ``path``) imports: at any
    depth in a module, at the top only in a package's ``__init__`` (the package's front door
    loads its public names lazily, for the kernel, never in a side process)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes: list[ast.AST] = list(tree.body) if path.name == "__init__.py" else list(ast.walk(tree))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            found.add(base)
            found.update("{}.{}".format(base, alias.name) for alias in node.names)
    return {n for n in found if n.split(".")[0] == PACKAGE_DIR.name}


def side_modules(entry_modules: Iterable[str], package_dir: Path = PACKAGE_DIR) -> tuple[str, ...]:
    """The files (paths inside the package) a process running ``entry_modules`` imports of this
    package: the entry modules, the modules they import at any depth, and the ``__init__.py``
    of every package on the way."""
    pending = list(entry_modules)
    missing = [name for name in pending if _module_file(name, package_dir) is None]
    if missing:
        raise ValueError("not modules of {}: {}".format(package_dir, ", ".join(missing)))
    files: set[Path] = set()
    while pending:
        name = pending.pop()
        path = _module_file(name, package_dir)
        if path is None:   # a name a module imports from its package, not a module itself
            continue
        if path in files:
            continue
        files.add(path)
        parents = name.split(".")
        pending.extend(".".join(parents[:i]) for i in range(1, len(parents)))
        pending.extend(_imported(name, path))
    return tuple(sorted(str(path.relative_to(package_dir)) for path in files))


def side_code(folder: Path, modules: Iterable[str]) -> Path:
    """Copy ``modules`` (paths inside this package) under ``folder``; returns the import root."""
    root = folder / "emulator"
    for relative in modules:
        target = root / "azureml_emulator" / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(PACKAGE_DIR / relative, target)
    return root


def process_environment(build: builder.Build, folder: Path, entry_modules: Iterable[str]) -> dict[str, str]:
    """The environment variables of a process running ``entry_modules`` in ``build``, before its
    own (in an isolated build, with those modules and what they import copied under ``folder``)."""
    if not build.isolated:
        # This Python as it is: the package must be importable even from a source checkout.
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PACKAGE_DIR.parent), env.get("PYTHONPATH")]))
        return env
    venv = Path(build.python).parent.parent
    # A container starts with its own environment, not the notebook's: only what locates
    # the user, the locale and temporary files comes through, and the emulator's own settings.
    env = {k: v for k, v in os.environ.items()
           if k in PASSED_THROUGH or k.startswith(("LC_", "AZUREML_EMULATOR_"))}
    env.update(VIRTUAL_ENV=str(venv), PATH=os.pathsep.join([str(venv / "bin"), os.environ.get("PATH", "")]),
               PYTHONPATH=str(side_code(folder, side_modules(entry_modules))), PYTHONNOUSERSITE="1")
    return env
