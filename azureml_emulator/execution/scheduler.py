"""The scheduler process of an emulator home: fires its Active pipeline schedules at their times
(`pipelines.schedules.tick`) until it has no owner or no Active schedule left, or SIGTERM
(see `pipelines.scheduler` for how it starts and stops). Each run it submits is a pipeline run
with its own supervisor, detached like every job; the scheduler opens no socket.

Usage: python -m azureml_emulator.execution.scheduler HOME
"""
from __future__ import annotations

import os
import signal
import sys
import time
import traceback
from types import FrameType

from azureml_emulator.errors import EmulatorError
from azureml_emulator.pipelines import scheduler, schedules
from azureml_emulator.store import Store

TICK_SECONDS = 0.5


class Clock:
    """The scheduler's clock: the real one, or one running ``speed`` times faster from the start
    (`pipelines.scheduler.SPEED_ENV_VAR`, for tests)."""

    def __init__(self, speed: float) -> None:
        self.speed, self.origin = speed, time.time()

    def now(self) -> float:
        return self.origin + (time.time() - self.origin) * self.speed


def _speed() -> float:
    text = os.environ.get(scheduler.SPEED_ENV_VAR) or "1"
    try:
        speed = float(text)
    except ValueError:
        speed = 0.0
    if speed < 1:
        raise SystemExit("${} is {!r}: expected a number, at least 1".format(scheduler.SPEED_ENV_VAR, text))
    return speed


def log(message: str) -> None:
    print("{} {}".format(time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), message), flush=True)


def _stop(_signal: int, _frame: FrameType | None) -> None:
    log("Stopped (SIGTERM).")
    sys.exit(143)


def run(home: str) -> str:
    """Tick until there is nothing to do; returns why it stopped."""
    clock = Clock(_speed())
    store = Store(home, check=False)
    log("Scheduler started for {} (pid {}, clock speed {:g}).".format(home, os.getpid(), clock.speed))
    while True:
        if not scheduler.owners(home):
            return "no process that activated the emulator on this home is left"
        active = schedules.active(store)
        if not active:
            return "no schedule is Active"
        for workspace, schedule in active:
            try:
                for fired in schedules.tick(store, workspace, schedule, clock.now(), time.time()):
                    log("Schedule {} ({}) submitted pipeline run {} in experiment {}.".format(
                        schedule["Name"], schedule["Id"], fired["Id"], fired["RunHistoryExperimentName"]))
            except EmulatorError as error:   # the pipeline was disabled, a parameter is gone: say it, go on
                log("Schedule {} ({}) could not submit its run: {}".format(schedule["Name"], schedule["Id"],
                                                                           error.message))
        time.sleep(TICK_SECONDS)


def main() -> None:
    signal.signal(signal.SIGTERM, _stop)
    try:
        why = run(sys.argv[1])
    except Exception:
        traceback.print_exc()
        raise
    log("Scheduler exits: {}.".format(why))


if __name__ == "__main__":
    main()
