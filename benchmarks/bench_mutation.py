"""Mutation benchmark: how many deliberate small breaks of the emulator's core the tests notice.

mutmut (3.x) rewrites every function of a module into variants that each change one thing (an
operator, a constant, a condition, an argument), then runs the tests against each variant; a
variant the tests do not notice "survives". For each core module below it runs only the tests that
cover that module: mutmut first runs them once to learn which tests reach which function, then for
each variant only the tests that reached its function. Each module is mutated in a fresh copy of
the tree (`.mutation/<module>/`, kept for `mutmut show` and `mutmut browse` there).

Prints, per module, the variants, how many the tests killed, how many survived, how many of those
are listed as equivalent (they cannot change behaviour; `mutation_equivalents.py` says why for each),
and the score: killed / (variants - equivalent). Then every other survivor, as a diff. It is a
benchmark, not a CI gate: the target is 80% per module.

    python benchmarks/bench_mutation.py [name ...]        # names: see CORE; default all
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "benchmarks"))
from mutation_equivalents import EQUIVALENT  # noqa: E402

# name: (module mutated, the tests that cover it)
CORE: dict[str, tuple[str, list[str]]] = {
    "transport": ("azureml_emulator/runtime/transport.py",
                  ["tests/runtime", "tests/azure_storage/test_blobs.py"]),
    "router": ("azureml_emulator/rest/router.py", ["tests/rest"]),
    "errors": ("azureml_emulator/errors.py", ["tests/test_errors.py", "tests/rest", "tests/store"]),
    "store": ("azureml_emulator/store/database.py", ["tests/store"]),
    "service states": ("azureml_emulator/webservices/states.py", ["tests/webservices/test_service_state.py"]),
    "processes": ("azureml_emulator/processes.py", ["tests/test_processes.py"]),
    "score.py": ("score.py", ["tests/tutorial/test_score_reading.py"]),
    "environment builds": ("azureml_emulator/environments/builder.py", ["tests/environments/test_builder.py"]),
}
# What the tests need beside the Python tree mutmut copies.
# (mutmut copies tests/ itself.)
ALSO_COPY = ["utils.py", "score.py", "environment.yml", "kernelspec", "azureml_emulator/data_access/mnist"]

# Read by mutmut in the copy: its own state and the module's outcomes, with each diff.
REPORT = """
import json
from mutmut.__main__ import SourceFileMutationData, walk_mutatable_files, status_by_exit_code
from mutmut.mutation.diff_apply import get_diff_for_mutant
rows = []
for path in walk_mutatable_files():
    data = SourceFileMutationData(path=path)
    data.load()
    for name, code in data.exit_code_by_key.items():
        status = status_by_exit_code[code]
        diff = get_diff_for_mutant(name, path=path) if status != "killed" else ""
        rows.append({"name": name, "status": status, "diff": diff})
print(json.dumps(rows))
"""


def tree_copy(target: Path) -> None:
    """The repository's files (tracked, and new ones not ignored), copied to `target`."""
    files = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard"], cwd=REPO, check=True, capture_output=True, text=True).stdout.split()
    for name in files:
        destination = target / name
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / name, destination)


def configure(work: Path, module: str, tests: list[str]) -> None:
    pyproject = work / "pyproject.toml"
    text = pyproject.read_text()
    source = ["score.py"] if module == "score.py" else ["azureml_emulator"]
    text += "\n[tool.mutmut]\n" + "\n".join([
        f"source_paths = {json.dumps(source)}",
        f"only_mutate = {json.dumps([module])}",
        f"pytest_add_cli_args_test_selection = {json.dumps(tests)}",
        f"also_copy = {json.dumps([p for p in ALSO_COPY if p != module])}",
        'pytest_add_cli_args = ["-p", "no:randomly"]',
        # A mutant that makes a test wait (an SDK retrying with back-off, a poll that never ends)
        # is stopped after four times its tests' usual time plus 5 s, and counts as killed.
        "timeout_multiplier = 4.0",
        "timeout_constant = 5.0",
    ]) + "\n"
    pyproject.write_text(text)


KILLED = ("killed", "timeout", "caught by type check")


def function_of(mutant: str) -> str:
    """``pkg.module.xǁRouterǁdispatch__mutmut_6`` -> ``Router.dispatch``; ``x_stop__mutmut_2`` -> ``stop``."""
    name = re.sub(r"__mutmut_\d+$", "", mutant.rsplit(".", 1)[-1])
    return name[2:] if name.startswith("x_") else name[1:].strip("\u01c1").replace("\u01c1", ".")


def changed_lines(diff: str) -> tuple[str, str]:
    lines = diff.splitlines()
    old = [line[1:].strip() for line in lines if line.startswith("-") and not line.startswith("---")]
    new = [line[1:].strip() for line in lines if line.startswith("+") and not line.startswith("+++")]
    return " / ".join(old), " / ".join(new)


def measure(name: str, module: str, tests: list[str], run: bool = True) -> dict:
    work = REPO / ".mutation" / name.replace(" ", "-").replace(".", "-")
    env = {**os.environ, "PYTHONPATH": ""}
    seconds = 0.0
    if run:
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        tree_copy(work)
        configure(work, module, tests)
        started = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "mutmut", "run"], cwd=work, env=env, capture_output=True,
                              text=True)
        seconds = time.perf_counter() - started
        if done.returncode != 0:
            lines = [line for line in (done.stdout + done.stderr).splitlines()
                     if line.strip() and not any("\u2800" <= ch <= "\u28ff" for ch in line)]   # not the spinner
            return {"name": name, "module": module, "error": "mutmut failed (exit {}); the end of its output:\n{}"
                    .format(done.returncode, "\n".join(lines[-60:]))}
    if not (work / "mutants").is_dir():
        return {"name": name, "module": module,
                "error": "no results in {}: run the benchmark for it without --report-only first".format(work)}
    report = subprocess.run([sys.executable, "-c", REPORT], cwd=work, env=env, check=True, capture_output=True,
                            text=True)
    rows = json.loads(report.stdout)
    known = {entry[:4] for entry in EQUIVALENT}
    survivors, equivalent = [], 0
    for row in rows:
        if row["status"] in KILLED:
            continue
        if (module, function_of(row["name"]), *changed_lines(row["diff"])) in known:
            equivalent += 1
        else:
            survivors.append(row)
    killed = sum(row["status"] in KILLED for row in rows)
    counted = len(rows) - equivalent
    return {"name": name, "module": module, "mutants": len(rows), "killed": killed,
            "equivalent": equivalent, "survivors": survivors, "seconds": seconds,
            "score": killed / counted if counted else 1.0}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="modules to measure: {} (default: all)".format(", ".join(CORE)))
    parser.add_argument("--report-only", action="store_true",
                        help="report the results of the last run (in .mutation/) without running mutmut")
    options = parser.parse_args()
    known = CORE
    unknown = set(options.names) - set(known)
    if unknown:
        parser.error("unknown module name(s): {}; known: {}".format(", ".join(sorted(unknown)), ", ".join(known)))
    results = []
    for name in options.names or list(CORE):
        module, tests = known[name]
        if not options.report_only:
            print(f"mutating {module} against {' '.join(tests)} ...", flush=True)
        results.append(measure(name, module, tests, run=not options.report_only))
    print(f"\n{'module':<46}{'mutants':>8}{'killed':>8}{'equiv.':>8}{'other':>7}{'score':>8}{'time':>8}")
    for r in results:
        if "error" in r:
            print(f"{r['module']:<46}  no result: see below")
            continue
        print(f"{r['module']:<46}{r['mutants']:>8}{r['killed']:>8}{r['equivalent']:>8}{len(r['survivors']):>7}"
              f"{r['score']:>8.0%}{r['seconds']:>7.0f}s")
    total = sum(r.get("seconds", 0) for r in results)
    below = [r["name"] for r in results if "error" in r or r["score"] < 0.8]
    print(f"total {total / 60:.1f} min; below 80%: {', '.join(below) or 'none'}")
    for r in results:
        if "error" in r:
            print(f"\n# {r['module']}: {r['error']}")
        for row in r.get("survivors", []):
            print(f"\n# {row['name']} ({row['status']})\n{row['diff']}")


if __name__ == "__main__":
    main()
