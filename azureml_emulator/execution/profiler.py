"""One model profile, from start to result: the profile's "test container".

Started detached by `profiles.backend.create`. It deploys the profile's models with its
inference configuration as a temporary service (in the Environment's build, with the CPU and
memory asked for, as a deployment runs), sends each row of the input dataset as the body of
one scoring request, one after another, while it samples the CPU and resident memory of the
service's process tree, then records what it measured and stops the service:

* latency: the mean and the 50th to 99.9th percentiles of the round trips, in ms;
* ``measuredQueriesPerSecond``: the requests answered per second of the whole run;
* ``maxUtilizedCpu`` (cores) and ``maxUtilizedMemoryInGB``: the highest samples;
* ``recommendedCpu`` / ``recommendedMemoryInGB``: the highest use with 20% headroom, rounded
  up to a tenth, within Azure's limits (Azure does not publish its own rule);
* a request that is not answered 200 counts as failed; any failed request is the profile's
  ``error`` (the SDK then warns that profiling "encountered issues").
"""
from __future__ import annotations

import json
import math
import os
import signal
import sys
import threading
import time
import urllib.error
import urllib.request
from typing import Any

import psutil

from azureml_emulator import processes
from azureml_emulator.data_access import materialize
from azureml_emulator.datasets import backend as datasets
from azureml_emulator.errors import EmulatorError
from azureml_emulator.ids import WorkspaceKey
from azureml_emulator.profiles import backend as profiles
from azureml_emulator.profiles.backend import CPU_RANGE, FAILED, MEMORY_RANGE, RUNNING, SUCCEEDED
from azureml_emulator.store import Store
from azureml_emulator.webservices import deployment, states

START_TIMEOUT_SECONDS = 900
REQUEST_TIMEOUT_SECONDS = 60
SAMPLE_SECONDS = 0.1
PERCENTILES = (("50", 50), ("90", 90), ("95", 95), ("99", 99), ("999", 99.9))


class Stopped(Exception):
    """SIGTERM: the profile is being stopped (reset, a test session's end)."""


class _Stopping:
    """SIGTERM raises Stopped, except while the test service is being started and recorded:
    then it waits until the record is kept, so whoever stops the profile can stop the service.
    (Blocking the signal would not do: Python runs the handler in the main thread whichever
    thread the signal reached, and the dataset library runs threads of its own.)"""

    deferred = False
    asked = False

    def handler(self, *_args: object) -> None:
        if self.deferred:
            self.asked = True
            return
        raise Stopped()

    def resume(self) -> None:
        self.deferred = False
        if self.asked:
            raise Stopped()


STOPPING = _Stopping()


def percentile(sorted_values: list[float], share: float) -> float:
    """Nearest-rank percentile of sorted values."""
    rank = max(1, math.ceil(share / 100 * len(sorted_values)))
    return sorted_values[rank - 1]


def recommendation(used: float, limits: tuple[float, float]) -> float:
    """The highest use with 20% headroom, rounded up to a tenth, within Azure's limits."""
    return min(limits[1], max(limits[0], math.ceil(used * 1.2 * 10 - 1e-9) / 10))


class Sampler(threading.Thread):
    """The CPU (cores) and resident memory (bytes) of the processes below a service's
    supervisor (the server and its workers: the supervisor is the emulator's stand-in for the
    container, not part of what it runs) at their highest: CPU as the CPU seconds they used per
    second, over each sampling interval and over the whole run (which a run shorter than one
    interval still has)."""

    def __init__(self, root_pid: int) -> None:
        super().__init__(daemon=True)
        self.root, self.done = psutil.Process(root_pid), threading.Event()
        self.max_cpu, self.max_rss = 0.0, 0
        self.first = self.last = self.usage()

    def usage(self) -> tuple[float, float, int]:
        """(when, CPU seconds used so far, resident bytes) of the whole tree."""
        cpu, rss = 0.0, 0
        try:
            tree = self.root.children(recursive=True)
        except psutil.NoSuchProcess:
            tree = []
        for proc in tree:
            try:
                times = proc.cpu_times()
                cpu += times.user + times.system
                rss += proc.memory_info().rss
            except psutil.NoSuchProcess:
                continue
        return time.monotonic(), cpu, rss

    def take(self) -> None:
        now = self.usage()
        for since in (self.last, self.first):
            if now[0] > since[0]:
                self.max_cpu = max(self.max_cpu, (now[1] - since[1]) / (now[0] - since[0]))
        self.max_rss, self.last = max(self.max_rss, now[2]), now

    def run(self) -> None:
        while not self.done.wait(SAMPLE_SECONDS):
            self.take()
        self.take()


def score(url: str, body: bytes, keys: list[str]) -> tuple[int, float, bytes]:
    """(status, seconds, answer) of one scoring request."""
    request = urllib.request.Request(url, data=body, method="POST", headers={"Content-Type": "application/json"})
    if keys:
        request.add_header("Authorization", "Bearer " + keys[0])
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=REQUEST_TIMEOUT_SECONDS) as answer:
            content, status = answer.read(), answer.status
    except urllib.error.HTTPError as error:
        content, status = error.read(), error.code
    except OSError as error:
        content, status = str(error).encode(), 0
    return status, time.perf_counter() - started, content


class Profiler:
    def __init__(self, home: str, workspace: str, profile_id: str, environments: str) -> None:
        self.store, self.workspace, self.id = Store(home, check=False), WorkspaceKey.parse(workspace), profile_id
        self.environments = environments
        self.profile = profiles.load(self.store, self.workspace, profile_id)
        self.process: processes.ProcessRecord | None = None

    def fail(self, message: str) -> None:
        profiles.update(self.store, self.workspace, self.id, state=FAILED, error={"message": message})

    def start_service(self) -> dict:
        service = {"name": "profile-" + self.id[:12], "environmentImageRequest": self.profile["environmentImageRequest"],
                   "containerResourceRequirements": self.profile.get("containerResourceRequirements") or {}}
        folder = self.store.home / "profiles" / self.workspace.folder_name / self.id / "service"
        folder.mkdir(parents=True, exist_ok=True)
        STOPPING.deferred = True   # a stop between starting the service and recording it would leave it running
        try:
            self.process = deployment.start(self.store, self.workspace, service, folder,
                                            environments=self.environments)
            profiles.save_service(self.store, self.workspace, self.id, self.process)
        finally:
            STOPPING.resume()
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while not deployment.is_ready(service, self.process):
            if not processes.is_alive(self.process) or time.monotonic() > deadline:
                log = deployment.log_tail(self.process, 400)
                cause = states.entry_script_error(log) or "the inference server did not start"
                raise EmulatorError("Model profiling failed: the service could not be started: Error in entry "
                                    "script, {}.\nLast lines of its log ({}):\n{}".format(
                                        cause, self.process.log, deployment.log_tail(self.process)))
            time.sleep(0.2)
        return service

    def main(self) -> None:
        profiles.update(self.store, self.workspace, self.id, state=RUNNING)
        saved = datasets.saved(self.store, self.workspace, self.profile["inputDatasetId"]) or {}
        rows = materialize.text_rows(saved["dataflowJson"])
        if not rows:
            raise EmulatorError("Model profiling failed: the input dataset has no rows")
        service = self.start_service()
        # start_service returns once the service it recorded in self.process answers, so it has a pid and port.
        url = "http://127.0.0.1:{}/score".format(self.process.port)   # type: ignore[union-attr]
        sampler = Sampler(self.process.pid)   # type: ignore[union-attr, arg-type]
        sampler.start()
        started, latencies, failures = time.perf_counter(), [], []
        for row in rows:
            status, seconds, answer = score(url, row.encode("utf-8"), deployment.credentials(service))
            latencies.append(seconds * 1000)
            if status != 200:
                failures.append((status, answer[:300].decode("utf-8", "replace")))
        elapsed = time.perf_counter() - started
        sampler.done.set()
        sampler.join()
        ordered = sorted(latencies)
        memory_gb = sampler.max_rss / 1024 ** 3
        results: dict[str, Any] = {
            "state": SUCCEEDED, "totalQueries": len(rows), "successQueries": len(rows) - len(failures),
            "successRate": round(100.0 * (len(rows) - len(failures)) / len(rows), 2),
            "averageLatencyInMs": round(sum(latencies) / len(latencies), 3),
            "measuredQueriesPerSecond": round(len(rows) / elapsed, 3) if elapsed else None,
            "maxUtilizedCpu": round(sampler.max_cpu, 3), "maxUtilizedMemoryInGB": round(memory_gb, 4),
            "recommendedCpu": recommendation(sampler.max_cpu, CPU_RANGE),
            "recommendedMemoryInGB": recommendation(memory_gb, MEMORY_RANGE)}
        for label, share in PERCENTILES:
            results["latencyPercentile{}InMs".format(label)] = round(percentile(ordered, share), 3)
        if failures:
            results["error"] = {"message": "{} of {} scoring requests failed; the first was answered {}: {}".format(
                len(failures), len(rows), failures[0][0], failures[0][1])}
        profiles.update(self.store, self.workspace, self.id, **results)

    def stop_service(self) -> None:
        deployment.remove(self.process)
        # Anything else still below this subreaper (a service started but not recorded, had the
        # profiler failed in between) ends with it.
        for orphan in psutil.Process().children(recursive=True):
            try:
                orphan.kill()
            except psutil.NoSuchProcess:
                continue


def main() -> None:
    processes.become_subreaper()
    signal.signal(signal.SIGTERM, STOPPING.handler)
    settings = json.loads(os.environ[profiles.SETTINGS_ENV])
    profiler = Profiler(settings["home"], settings["workspace"], settings["id"], settings["environments"])
    try:
        profiler.main()
    except Stopped:
        profiler.fail("Model profiling was stopped before it finished")
        sys.exit(143)
    except EmulatorError as error:
        profiler.fail(error.message)
    except BaseException as error:   # a bug: the profile says so rather than staying Running
        import traceback
        traceback.print_exc()
        profiler.fail("azureml_emulator's profiler failed: {}: {}".format(type(error).__name__, error))
        sys.exit(1)
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        profiler.stop_service()


if __name__ == "__main__":
    main()
