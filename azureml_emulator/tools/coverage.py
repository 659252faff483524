"""The README's table of what the emulator answers, generated from the code.

Every route in `runtime.routes` is listed with the SDK operation that sends it (from the
SDK's generated clients, `rest.catalogue`; Model Management URLs are hand-built in the
SDK and have no generated operation). Everything else answers 501 "not emulated".

    python -m azureml_emulator.tools.coverage              # print the table
    python -m azureml_emulator.tools.coverage --write README.md
    python -m azureml_emulator.tools.coverage --check README.md   # exit 1 when out of date
"""
from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import Sequence

from azureml_emulator.rest import catalogue
from azureml_emulator.rest.router import Route
from azureml_emulator.runtime.routes import TABLES

START, END = "<!-- emulated-operations:start -->", "<!-- emulated-operations:end -->"
SAMPLE_SCOPE = ("/subscriptions/s/resourceGroups/r/providers/Microsoft.MachineLearningServices/workspaces/w")


def sample_path(route: Route) -> str:
    """A concrete path the route answers, to look up the SDK operation behind it."""
    path = route.template.replace("{workspace}", SAMPLE_SCOPE)
    return re.sub(r"\{(\w+)(:path)?\}", "x", path)   # one segment suits a {x:path} placeholder too


def table() -> str:
    lines = ["| service | method | route | SDK operation |", "|---|---|---|---|"]
    answered: set[str] = set()
    for title, routes in TABLES:
        for route in routes:
            operations = sorted({op.name for op in catalogue.find(route.method, sample_path(route))})
            answered.update(operations)
            shown = route.template.replace("{workspace}", "{ws}").replace("|", "\\|")
            lines.append("| {} | {} | `{}` | {} |".format(
                title, route.method, shown, ", ".join("`{}`".format(o) for o in operations) or "no generated operation"))
    total = len({op.name for op in catalogue.operations()})
    lines += ["", "{} of the {} operations in the SDK's generated Azure ML clients are answered; every other "
                  "call gets HTTP 501 \"not emulated by azureml_emulator: <operation>\".".format(len(answered), total)]
    return "\n".join(lines)


def replace_section(text: str, generated: str) -> str:
    if START not in text or END not in text:
        raise SystemExit("the file has no {} ... {} section".format(START, END))
    head, rest = text.split(START, 1)
    return head + START + "\n" + generated + "\n" + END + rest.split(END, 1)[1]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--write", metavar="README", help="replace the table in this file")
    group.add_argument("--check", metavar="README", help="exit 1 if the table in this file is out of date")
    args = parser.parse_args(argv)
    generated = table()
    if not (args.write or args.check):
        print(generated)
        return 0
    path = Path(args.write or args.check)
    text = path.read_text()
    updated = replace_section(text, generated)
    if args.check:
        if updated != text:
            print("{}: the table of emulated operations is out of date; run "
                  "python -m azureml_emulator.tools.coverage --write {}".format(path, path), file=sys.stderr)
            return 1
        return 0
    path.write_text(updated)
    return 0


if __name__ == "__main__":
    sys.exit(main())
