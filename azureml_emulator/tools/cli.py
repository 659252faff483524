"""Command line: `python -m azureml_emulator ...` or `azureml-emulator ...`."""
from __future__ import annotations

import argparse
import sys
from typing import Any, Sequence

from azureml_emulator.environments import builder
from azureml_emulator.errors import EmulatorError
from azureml_emulator.runtime.home import resolve_home
from azureml_emulator.store import Store
from azureml_emulator.tools import housekeeping
from azureml_emulator.tools import kernel as kernel_module


def _table(rows: list[dict[str, Any]], columns: list[str]) -> None:
    if not rows:
        print("(none)")
        return
    widths = [max(len(col), *(len(str(row[col])) for row in rows)) for col in columns]
    print("  ".join(col.upper().ljust(w) for col, w in zip(columns, widths)))
    for row in rows:
        print("  ".join(str(row[col]).ljust(w) for col, w in zip(columns, widths)))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="azureml-emulator",
                                     description="Inspect and clean up the offline Azure ML workspace emulator.")
    parser.add_argument("--home", help="emulator home (default: $AZUREML_EMULATOR_HOME or the per-user folder)")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("home", help="print the emulator home folder")
    commands.add_parser("models", help="list registered models")
    envs = commands.add_parser("environments", help="list registered environments, or build, list and prune "
                                                    "their builds")
    actions = envs.add_subparsers(dest="action")
    build = actions.add_parser("build", help="build a registered environment now (while online)")
    build.add_argument("name")
    build.add_argument("--version", help="default: the latest")
    build.add_argument("--workspace", help="needed when several workspaces have an environment of that name")
    actions.add_parser("builds", help="list the environment builds in your cache, with their size")
    prune = actions.add_parser("prune", help="remove environment builds from your cache")
    prune.add_argument("hashes", nargs="*", help="the builds to remove (a prefix of the hash); default: all")
    commands.add_parser("services", help="list deployed services with their live state")
    commands.add_parser("runs", help="list runs, newest first, with their live state and the job's folder")
    commands.add_parser("computes", help="list compute clusters")
    commands.add_parser("schedules", help="list pipeline schedules: status, when they fire, their last run")
    sched = commands.add_parser("scheduler", help="show whether the pipeline scheduler runs, or stop it")
    sched_actions = sched.add_subparsers(dest="action")
    sched_actions.add_parser("stop", help="stop the scheduler (schedules stay as they are; it starts again "
                                          "when the emulator is next activated on this home)")
    logs = commands.add_parser("logs", help="print a service's log")
    logs.add_argument("service")
    delete = commands.add_parser("delete", help="stop and delete a service")
    delete.add_argument("service")
    kernel = commands.add_parser("kernel", help="install the azureml-emulator Jupyter kernel")
    kernel_actions = kernel.add_subparsers(dest="action", required=True)
    install = kernel_actions.add_parser("install", help="write the kernelspec where Jupyter finds it")
    where = install.add_mutually_exclusive_group()
    where.add_argument("--user", action="store_true", help="for your user (the default)")
    where.add_argument("--sys-prefix", action="store_true", help="into this Python's prefix: " + sys.prefix)
    where.add_argument("--prefix", help="into this prefix (Jupyter looks in PREFIX/share/jupyter/kernels)")
    install.add_argument("--name", default=kernel_module.KERNEL_NAME)
    install.add_argument("--display-name", default=None)
    commands.add_parser("check", help="check the state database for damage (SQLite's integrity_check)")
    reset = commands.add_parser("reset", help="stop all services and jobs and erase the home")
    reset.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    return parser


def _run(args: argparse.Namespace, store: Store) -> None:
    if args.command == "models":
        _table(housekeeping.list_models(store), ["workspace", "name", "version", "description"])
    elif args.command == "environments" and args.action == "build":
        build = housekeeping.build_environment(store, args.name, args.version, args.workspace)
        print("\n".join(build.lines))
        print("Environment {} is built: {}".format(args.name, build.path))
    elif args.command == "environments" and args.action == "builds":
        _table(housekeeping.list_builds(), ["hash", "environment", "python", "size_mb", "last_used"])
    elif args.command == "environments" and args.action == "prune":
        print("Removed {} build(s).".format(builder.prune(args.hashes or None)))
    elif args.command == "environments":
        _table(housekeeping.list_environments(store), ["workspace", "name", "version"])
    elif args.command == "services":
        _table(housekeeping.list_services(store), ["workspace", "name", "state", "scoring_uri", "pid"])
    elif args.command == "runs":
        _table(housekeeping.list_runs(store), ["workspace", "experiment", "run_id", "status", "target", "folder"])
    elif args.command == "computes":
        _table(housekeeping.list_computes(store), ["workspace", "name", "vm_size", "max_nodes"])
    elif args.command == "schedules":
        _table(housekeeping.list_schedules(store), ["workspace", "name", "id", "status", "fires", "pipeline",
                                                     "last_run"])
    elif args.command == "scheduler" and args.action == "stop":
        print("Scheduler stopped." if housekeeping.stop_scheduler(store.home) else "The scheduler was not running.")
    elif args.command == "scheduler":
        state = housekeeping.scheduler_state(store.home)
        if state["running"]:
            print("The scheduler runs (pid {}), owned by pid {}; its log: {}".format(
                state["pid"], ", ".join(str(pid) for pid in state["owners"]) or "none", state["log"]))
        else:
            print("The scheduler is not running" + ("; its last log: {}".format(state["log"]) if state["log"] else "."))
    elif args.command == "logs":
        sys.stdout.write(housekeeping.service_log(store, args.service))
    elif args.command == "delete":
        housekeeping.delete_service(store, args.service)
        print("Deleted service {}.".format(args.service))
    elif args.command == "check":
        store.check()
        print("The state database {} is sound (SQLite's integrity_check: ok).".format(store.path))


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "kernel":
        prefix = sys.prefix if args.sys_prefix else args.prefix
        folder = kernel_module.install(args.name, args.display_name, user=prefix is None, prefix=prefix)
        print("Installed the kernel '{}' in {}".format(args.name, folder))
        return 0
    home = resolve_home(args.home)
    if args.command == "home":
        print(home)
        return 0
    if args.command == "reset":
        if not args.yes and input("Erase everything under {}? [y/N] ".format(home)).strip().lower() != "y":
            print("Nothing erased.")
            return 1
        housekeeping.reset(home)
        print("Reset {}: scheduler, services and jobs stopped; models, environments, runs and artifacts erased.".format(home))
        return 0
    try:
        store = Store(home)
    except EmulatorError as error:
        print("azureml-emulator: {}".format(error), file=sys.stderr)
        return 2
    try:
        _run(args, store)
    except EmulatorError as error:
        print("azureml-emulator: {}".format(error), file=sys.stderr)
        return 2
    finally:
        store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
