"""Pipeline benchmark: a three-step pipeline of short scripts (one after the other, with
`run_after`), its Environment built already, from submit to Finished; the same pipeline
resubmitted, every step reused; and where a step's time goes (queued and preparing, running).

    python benchmarks/bench_pipelines.py [--repeat 3]
"""
import argparse
import sys
import time
from pathlib import Path
from statistics import median

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

from azureml_emulator.timestamps import posix  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    from azureml.core import Experiment
    from azureml.core.runconfig import RunConfiguration
    from azureml.pipeline.core import Pipeline
    from azureml.pipeline.steps import PythonScriptStep
    from helpers import emulated_cluster, service_environment
    with emulated_cluster("bench-pipelines-") as (work, ws, target):
        config = RunConfiguration()
        config.environment = service_environment()
        fresh, reused, waiting, running = [], [], [], []
        for attempt in range(args.repeat):
            folder = work / "steps{}".format(attempt)   # new code each time: nothing to reuse
            folder.mkdir()
            for name in "abc":
                (folder / (name + ".py")).write_text("print('step {} {}')\n".format(name, attempt))
            steps = [PythonScriptStep(script_name=name + ".py", name=name, source_directory=str(folder),
                                      compute_target=target, runconfig=config) for name in "abc"]
            steps[1].run_after(steps[0])
            steps[2].run_after(steps[1])
            started = time.monotonic()
            run = Experiment(ws, "bench").submit(Pipeline(ws, steps=steps))
            assert run.wait_for_completion(show_output=False) == "Finished"
            fresh.append(time.monotonic() - started)
            for step in run.get_steps():
                details = step.get_details()
                created = posix(step._run_dto["created_utc"]) if "created_utc" in step._run_dto else None
                if created is not None:
                    waiting.append(posix(details["startTimeUtc"]) - created)
                running.append(posix(details["endTimeUtc"]) - posix(details["startTimeUtc"]))
            started = time.monotonic()
            again = Experiment(ws, "bench").submit(Pipeline(ws, steps=steps))
            assert again.wait_for_completion(show_output=False) == "Finished"
            reused.append(time.monotonic() - started)
            assert all(step._is_reused for step in again.get_steps())
    print("three-step pipeline, submit to Finished: median {:.1f} s ({})".format(
        median(fresh), ", ".join("{:.1f}".format(t) for t in fresh)))
    print("the same pipeline resubmitted, every step reused: median {:.1f} s ({})".format(
        median(reused), ", ".join("{:.1f}".format(t) for t in reused)))
    if waiting:
        print("a step from created to Running (queue, job start, environment check): median {:.1f} s".format(
            median(waiting)))
    print("a step Running to its end: median {:.1f} s".format(median(running)))


if __name__ == "__main__":
    main()
