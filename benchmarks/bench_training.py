"""Training benchmark: part 1 end to end (make run's runner, the environment build cached),
where the time of its run goes, and how soon `wait_for_completion(show_output=True)` shows a
line the job printed, with the SDK's own polling interval and with the emulator's, side by
side in one process; a local run's overhead; a HyperDrive sweep of 12 children, 4 at once.

    python benchmarks/bench_training.py [--skip-notebook]
"""
import argparse
import io
import json
import subprocess
import sys
import tempfile
import time
from contextlib import redirect_stdout
from pathlib import Path
from statistics import median

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

from azureml_emulator.timestamps import posix  # noqa: E402

NOTEBOOK = REPO / "img-classification-part1-training.ipynb"
LINES = 6
PRINTER = """
import sys, time
for i in range({lines}):
    print('TICK', repr(time.time()), flush=True)
    time.sleep(1.5)
""".format(lines=LINES)


class Clock(io.TextIOBase):
    """stdout that notes when each printed TICK line arrives."""

    def __init__(self):
        self.delays, self.buffer = [], ""

    def write(self, text):
        self.buffer += text
        while "\n" in self.buffer:
            line, self.buffer = self.buffer.split("\n", 1)
            if line.startswith("TICK "):
                self.delays.append(time.time() - float(line.split()[1]))
        return len(text)


def notebook_figures():
    with tempfile.TemporaryDirectory() as out:
        started = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "azureml_emulator.tools.run_notebook", str(NOTEBOOK),
                               "--output-dir", out], cwd=REPO, capture_output=True, text=True)
        total = time.perf_counter() - started
        if done.returncode:
            sys.exit(done.stdout + done.stderr)
        executed = json.loads((Path(out) / NOTEBOOK.name).read_text())
    cells = {c["source"] if isinstance(c["source"], str) else "".join(c["source"]): c
             for c in executed["cells"] if c["cell_type"] == "code"}
    details = next(c for s, c in cells.items() if s.lstrip().startswith("# specify show_output"))
    text = details["outputs"][-1]["data"]["text/plain"]
    text = text if isinstance(text, str) else "".join(text)
    import ast
    run = ast.literal_eval(text)
    run_seconds = posix(run["endTimeUtc"]) - posix(run["startTimeUtc"])
    print("part 1 notebook end to end (build cached): {:.1f} s".format(total))
    print("  of which the training run (Running to Completed): {:.1f} s ({:.0%})".format(run_seconds,
                                                                                   run_seconds / total))


def log_latency():
    from azureml.core import Run
    from conftest import service_environment, submit_script
    from types import SimpleNamespace
    from azureml.core import Experiment, Workspace
    from azureml.core.compute import AmlCompute, ComputeTarget
    from azureml_emulator import emulate
    from azureml_emulator.tools import housekeeping
    with tempfile.TemporaryDirectory() as work, emulate(home=Path(work) / "home") as emulator:
        ws = Workspace.from_config(path=work) if (Path(work) / "config.json").exists() else Workspace.from_config()
        target = ComputeTarget.create(ws, "cpu", AmlCompute.provisioning_configuration(
            vm_size="STANDARD_D2_V2", max_nodes=2))
        cluster = SimpleNamespace(ws=ws, target=target, work=Path(work), experiment=Experiment(ws, "bench"),
                                  environment=service_environment())
        results = {}
        try:
            for label, interval in (("the SDK's own polling (2 s and up)", (2, 60)),
                                    ("the emulator's polling (0.25 s to 1 s)",
                                     (Run._WAIT_COMPLETION_POLLING_INTERVAL_MIN,
                                      Run._WAIT_COMPLETION_POLLING_INTERVAL_MAX))):
                saved = Run._WAIT_COMPLETION_POLLING_INTERVAL_MIN, Run._WAIT_COMPLETION_POLLING_INTERVAL_MAX
                Run._WAIT_COMPLETION_POLLING_INTERVAL_MIN, Run._WAIT_COMPLETION_POLLING_INTERVAL_MAX = interval
                try:
                    run = submit_script(cluster, PRINTER, folder="printer")
                    clock = Clock()
                    with redirect_stdout(clock):
                        run.wait_for_completion(show_output=True)
                finally:
                    Run._WAIT_COMPLETION_POLLING_INTERVAL_MIN, Run._WAIT_COMPLETION_POLLING_INTERVAL_MAX = saved
                results[label] = clock.delays[1:]   # the first line waits for the job to start
        finally:
            housekeeping.stop_all(emulator.home)
    base = None
    for label, delays in results.items():
        line = "log line shown after it was printed, with {}: median {:.2f} s, max {:.2f} s ({} lines)".format(
            label, median(delays), max(delays), len(delays))
        if base is not None:
            line += "; {:.1f}x sooner".format(base / median(delays))
        base = base or median(delays)
        print(line)


def log_rows():
    """3,000 log_row calls of 15 columns in an interactive run, flushed, then read back."""
    from azureml.core import Experiment, Workspace
    from azureml_emulator import emulate
    with tempfile.TemporaryDirectory() as work, emulate(home=Path(work) / "home"):
        run = Experiment(Workspace.from_config(), "rows").start_logging(snapshot_directory=None)
        started = time.perf_counter()
        for i in range(3000):
            run.log_row("table", **{"c{}".format(c): i * c for c in range(15)})
        run.flush()
        logged = time.perf_counter() - started
        rows = len(run.get_metrics(name="table")["table"]["c1"])
        read = time.perf_counter() - started - logged
        run.complete()
    print("3,000 log_row calls of 15 columns: logged and flushed in {:.2f} s, read back ({} rows) in {:.2f} s"
          .format(logged, rows, read))


def local_run_overhead():
    """A local run of a script that logs one metric, its Environment's build cached: the time
    from submit to Completed, and how much of it the job itself was Running."""
    from azureml.core import Experiment, ScriptRunConfig, Workspace
    from conftest import service_environment
    from azureml_emulator import emulate
    with tempfile.TemporaryDirectory() as work, emulate(home=Path(work) / "home"):
        (Path(work) / "src").mkdir()
        (Path(work) / "src" / "train.py").write_text("from azureml.core import Run\nRun.get_context().log('m', 1)\n")
        experiment = Experiment(Workspace.from_config(), "local")
        totals, running = [], []
        for _ in range(3):
            started = time.perf_counter()
            run = experiment.submit(ScriptRunConfig(source_directory=str(Path(work) / "src"), script="train.py",
                                                    environment=service_environment()))
            run.wait_for_completion()
            totals.append(time.perf_counter() - started)
            details = run.get_details()
            running.append(posix(details["endTimeUtc"]) - posix(details["startTimeUtc"]))
    print("local run logging one metric (build cached), submit to Completed: median {:.2f} s; the job itself "
          "(start to end, Python and the SDK's import included): median {:.2f} s; the rest: {:.2f} s".format(
              median(totals), median(running), median(totals) - median(running)))


def sweep():
    """HyperDrive: 12 short children, 4 at a time, on a 4-node cluster."""
    from azureml.core import Experiment, ScriptRunConfig, Workspace
    from azureml.core.compute import AmlCompute, ComputeTarget
    from azureml.train.hyperdrive import (HyperDriveConfig, PrimaryMetricGoal, RandomParameterSampling,
                                          uniform)
    from conftest import service_environment
    from azureml_emulator import emulate
    from azureml_emulator.tools import housekeeping
    with tempfile.TemporaryDirectory() as work, emulate(home=Path(work) / "home") as emulator:
        (Path(work) / "src").mkdir()
        (Path(work) / "src" / "train.py").write_text(
            "import sys\nfrom azureml.core import Run\nRun.get_context().log('score', float(sys.argv[2]))\n")
        ws = Workspace.from_config()
        target = ComputeTarget.create(ws, "cpu", AmlCompute.provisioning_configuration(
            vm_size="STANDARD_D2_V2", max_nodes=4))
        config = HyperDriveConfig(
            run_config=ScriptRunConfig(source_directory=str(Path(work) / "src"), script="train.py",
                                       compute_target=target, environment=service_environment()),
            hyperparameter_sampling=RandomParameterSampling({"--x": uniform(0, 1)}), primary_metric_name="score",
            primary_metric_goal=PrimaryMetricGoal.MAXIMIZE, max_total_runs=12, max_concurrent_runs=4)
        try:
            started = time.perf_counter()
            parent = Experiment(ws, "sweep").submit(config)
            parent.wait_for_completion()
            total = time.perf_counter() - started
            children = list(parent.get_children())
        finally:
            housekeeping.stop_all(emulator.home)
    print("HyperDrive, 12 children 4 at a time on a 4-node cluster: {:.1f} s from submit to Completed "
          "({} children)".format(total, len(children)))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-notebook", action="store_true")
    args = parser.parse_args()
    log_latency()
    log_rows()
    local_run_overhead()
    sweep()
    if not args.skip_notebook:
        notebook_figures()


if __name__ == "__main__":
    main()
