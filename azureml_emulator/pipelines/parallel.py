"""ParallelRunStep on the service's side: what makes a step run a parallel run, and what its
job is given besides a script run's.

The SDK sends a ParallelRunStep as a module of type ``BatchInferencing`` (``StepType``
"ParallelRunStep") whose script is ``driver/amlbi_main.py`` with the driver's arguments
(``--scoring_module_name``, ``--mini_batch_size``, ...); the user's entry script is in the
snapshot, the driver is not: Azure adds its own driver to the job at run time
(``--create_snapshot_at_runtime True``). The emulator does the same: the step's job gets
a ``driver/amlbi_main.py`` that runs `execution.parallel_run` (copied beside the job's
process with the modules it imports), which starts the worker processes and calls the
entry script's ``init()`` and ``run(mini_batch)``. The job is told its node count in
``AZUREML_NODE_COUNT``, as AmlCompute tells a job.
"""
from __future__ import annotations

from pathlib import Path

STEP_TYPE = "ParallelRunStep"
DRIVER_SCRIPT = "driver/amlbi_main.py"
DRIVER_MODULE = "azureml_emulator.execution.parallel_run"
NODE_COUNT_VARIABLE = "AZUREML_NODE_COUNT"
DRIVER_TEXT = '''"""ParallelRunStep's driver, as azureml_emulator runs it (Azure adds its own here)."""
import sys

from azureml_emulator.execution import parallel_run

sys.exit(parallel_run.main(sys.argv[1:]))
'''


def is_parallel_run(run: dict) -> bool:
    """Whether a run is a ParallelRunStep's step run, whose job runs the driver."""
    return ((run.get("properties") or {}).get("StepType") == STEP_TYPE
            and (run.get("runDefinition") or {}).get("script") == DRIVER_SCRIPT)


def entry_modules(run: dict) -> list[str]:
    """The emulator's modules the run's process needs besides the job runtime."""
    return [DRIVER_MODULE] if is_parallel_run(run) else []


def prepare_job(run: dict, workdir: Path) -> dict[str, str]:
    """Put the driver where the step's command line expects it (unless the snapshot has one);
    returns the variables the job gets for it."""
    if not is_parallel_run(run):
        return {}
    driver = workdir / DRIVER_SCRIPT
    if not driver.exists():
        driver.parent.mkdir(parents=True, exist_ok=True)
        driver.write_text(DRIVER_TEXT, encoding="utf-8")
    return {NODE_COUNT_VARIABLE: str((run.get("runDefinition") or {}).get("nodeCount") or 1)}
