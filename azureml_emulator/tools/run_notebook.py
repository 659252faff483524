"""`make run`: execute a notebook end to end on the emulator and report the accuracy.

    python -m azureml_emulator.tools.run_notebook NOTEBOOK --output executed/NOTEBOOK

The run uses a fresh emulator home next to the output, so it starts from an
empty workspace every time, like a new Azure ML workspace.
"""
from __future__ import annotations

import argparse
import os
import re
import sys
import time
from pathlib import Path
from typing import Any, Iterator, Sequence

import nbformat
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from azureml_emulator.tools import housekeeping
from azureml_emulator.runtime.home import HOME_ENV_VAR

ACCURACY = re.compile(r"Overall accuracy:\s*([0-9.]+)")


def printed_text(notebook: Any) -> Iterator[str]:
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            yield output.get("text", "") or output.get("data", {}).get("text/plain", "")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebook")
    parser.add_argument("--output", required=True)
    parser.add_argument("--kernel", default="azureml-emulator")
    parser.add_argument("--timeout", type=int, default=900, help="seconds per cell")
    args = parser.parse_args(argv)

    notebook_path, output_path = Path(args.notebook).resolve(), Path(args.output).resolve()
    output_path.parent.mkdir(parents=True, exist_ok=True)
    home = output_path.parent / "emulator-home"
    if home.exists():
        housekeeping.reset(home)
    home.mkdir(parents=True, exist_ok=True)
    os.environ[HOME_ENV_VAR] = str(home)   # inherited by the kernel

    notebook = nbformat.read(notebook_path, as_version=4)
    code_cells = [cell for cell in notebook.cells if cell.cell_type == "code"]
    started = time.monotonic()

    def progress(cell: Any, cell_index: int, **_: Any) -> None:
        if cell.cell_type == "code":
            first_line = next((line for line in cell.source.splitlines() if line.strip()), "")
            print("[{:>3.0f} s] {} cell {} of {}: {}".format(
                time.monotonic() - started, notebook_path.name, code_cells.index(cell) + 1, len(code_cells),
                first_line[:70]), flush=True)

    # IPC transport: the kernel talks over local sockets, so it has no reason to warn that TCP
    # traffic is unencrypted.
    manager = KernelManager(kernel_name=args.kernel, transport="ipc",
                            connection_file=str(output_path.parent / ".kernel-connection.json"))
    client = NotebookClient(notebook, km=manager, timeout=args.timeout, on_cell_execute=progress,
                            resources={"metadata": {"path": str(notebook_path.parent)}})
    failed = None
    try:
        client.execute()
    except CellExecutionError as error:
        failed = error
    finally:
        if manager.has_kernel:
            manager.shutdown_kernel()   # a kernel manager we made is ours to stop
        nbformat.write(notebook, output_path)
        stopped = housekeeping.stop_all_services(home)
    elapsed = time.monotonic() - started
    print("Executed notebook written to {} ({:.0f} s)".format(output_path, elapsed))
    if stopped:
        print("Stopped {} service(s) the notebook left running".format(stopped))
    if failed is not None:
        print(failed, file=sys.stderr)
        return 1
    for figure in ("conf.png", "samples.png"):
        path = notebook_path.parent / figure
        print("{}: {}".format(figure, path if path.exists() else "MISSING"))
    accuracies = [m.group(1) for text in printed_text(notebook) for m in ACCURACY.finditer(text)]
    if not accuracies:
        print("No 'Overall accuracy' line in the notebook's output", file=sys.stderr)
        return 1
    print("Accuracy on the 10,000 MNIST test images: {}".format(accuracies[-1]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
