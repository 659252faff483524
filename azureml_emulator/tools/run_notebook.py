"""`make run`: execute the notebooks end to end on the emulator and report the accuracies.

    python -m azureml_emulator.tools.run_notebook PART1 PART2 PART3 --output-dir executed

The notebooks run in order, in one fresh emulator home next to the output (so part 2
deploys what part 1 registered, and every run starts from an empty workspace, like a
new Azure ML workspace).
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
LOGGED_ACCURACY = re.compile(r"'accuracy': ([0-9.]+)")   # part 1's print(run.get_metrics())
BATCH_ACCURACY = re.compile(r"Batch scoring accuracy:\s*([0-9.]+)")   # part 3's
FIGURES = ("conf.png", "samples.png")


def printed_text(notebook: Any) -> Iterator[str]:
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            yield output.get("text", "") or output.get("data", {}).get("text/plain", "")


def execute(notebook_path: Path, output_path: Path, kernel: str, timeout: int, started: float) -> tuple[Any, Any]:
    """Run one notebook; returns the executed notebook and the CellExecutionError, if any."""
    notebook = nbformat.read(notebook_path, as_version=4)
    code_cells = [cell for cell in notebook.cells if cell.cell_type == "code"]

    def progress(cell: Any, cell_index: int, **_: Any) -> None:
        if cell.cell_type == "code":
            first_line = next((line for line in cell.source.splitlines() if line.strip()), "")
            print("[{:>3.0f} s] {} cell {} of {}: {}".format(
                time.monotonic() - started, notebook_path.name, code_cells.index(cell) + 1, len(code_cells),
                first_line[:70]), flush=True)

    # IPC transport: the kernel talks over local sockets, so it has no reason to warn that TCP
    # traffic is unencrypted.
    manager = KernelManager(kernel_name=kernel, transport="ipc",
                            connection_file=str(output_path.parent / ".kernel-connection.json"))
    client = NotebookClient(notebook, km=manager, timeout=timeout, on_cell_execute=progress,
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
    return notebook, failed


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="+", help="run in this order, in one workspace")
    parser.add_argument("--output-dir", required=True, help="where the executed copies are written")
    parser.add_argument("--kernel", default="azureml-emulator")
    parser.add_argument("--timeout", type=int, default=900, help="seconds per cell")
    args = parser.parse_args(argv)

    output_dir = Path(args.output_dir).resolve()
    output_dir.mkdir(parents=True, exist_ok=True)
    home = output_dir / "emulator-home"
    if home.exists():
        housekeeping.reset(home)
    home.mkdir(parents=True, exist_ok=True)
    os.environ[HOME_ENV_VAR] = str(home)   # inherited by the kernels

    started = time.monotonic()
    texts, failed = [], None
    try:
        for name in args.notebooks:
            notebook_path = Path(name).resolve()
            output_path = output_dir / notebook_path.name
            notebook, failed = execute(notebook_path, output_path, args.kernel, args.timeout, started)
            print("Executed notebook written to {}".format(output_path))
            texts += list(printed_text(notebook))
            if failed is not None:
                break
    finally:
        stopped = housekeeping.stop_all(home)
    print("Done in {:.0f} s".format(time.monotonic() - started))
    if stopped:
        print("Stopped {} service(s) and job(s) the notebooks left running".format(stopped))
    if failed is not None:
        print(failed, file=sys.stderr)
        return 1
    for figure in FIGURES:
        path = Path(args.notebooks[-1]).resolve().parent / figure
        if path.exists():
            print("{}: {}".format(figure, path))
    logged = [m.group(1) for text in texts for m in LOGGED_ACCURACY.finditer(text)]
    if logged:
        print("Accuracy the training run logged: {}".format(logged[-1]))
    accuracies = [m.group(1) for text in texts for m in ACCURACY.finditer(text)]
    if accuracies:
        print("Accuracy of the web service on the 10,000 MNIST test images: {}".format(accuracies[-1]))
    batch = [m.group(1) for text in texts for m in BATCH_ACCURACY.finditer(text)]
    if batch:
        print("Accuracy of the batch scoring pipeline on the 10,000 MNIST test images: {}".format(batch[-1]))
    if not (logged or accuracies or batch):
        print("No accuracy in the notebooks' output (neither an 'Overall accuracy' line nor a logged 'accuracy' "
              "metric)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
