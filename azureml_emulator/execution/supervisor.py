"""The container of one service: its process tree, restarted as ACI restarts a container,
with ACI's memory limit on the tree's resident memory.

Runs in the emulator's own Python (it needs psutil), detached by `launch`, and starts the
service process (the inference server, in the environment's build) as its child. It is
the child subreaper of everything below it, so a worker whose gunicorn master died is
still found and ended. Every 0.2 s it:

* sums the resident memory of the tree; over ``memory_gb`` it kills the largest worker
  with SIGKILL, as the kernel's OOM killer does in a container: gunicorn boots a new
  worker, which runs ``init()`` again;
* restarts the whole tree on the same port when the server exits or its master dies,
  counting restarts, as ACI does;
* gives up when the server keeps dying before it is ready (CrashLoopBackOff), at the start
  (exiting, or killed for memory during its first init()) or after a restart;
* probes the server's liveness route in a thread until it answers (ready), so that a worker
  busy with a long request never pauses the memory watchdog.

What happened is written to ``status.json`` beside the service log, which the web
service backend reads. Usage: python -m azureml_emulator.execution.supervisor ARGV...
"""
from __future__ import annotations

import ctypes
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from types import FrameType
from typing import Any

import psutil

from azureml_emulator.execution import service_contract

POLL_SECONDS = 0.2
CRASH_LIMIT = 2           # consecutive exits (or OOM kills) before the server was ever ready
PR_SET_CHILD_SUBREAPER = 36


class Container:
    def __init__(self, argv: list[str], spec: service_contract.ServiceSpec, status_path: Path) -> None:
        self.argv, self.spec, self.status_path = argv, spec, status_path
        self.status: dict[str, Any] = {"restarts": 0, "oom_kills": 0, "ready": False, "state": "starting",
                                       "reason": None}
        self.crashes = 0
        self.server: subprocess.Popen | None = None
        self.keys = service_contract.decode_keys()
        # Which server or worker generation a liveness probe last found answering: bumped at
        # each start and OOM kill, so a probe answered by a worker since killed does not count.
        self.generation, self.answered = 0, -1
        self.probing: threading.Thread | None = None

    def say(self, message: str) -> None:
        print("azureml_emulator: " + message, flush=True)

    def save(self) -> None:
        tmp = self.status_path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.status))
        os.replace(tmp, self.status_path)

    def start(self) -> None:
        self.generation += 1
        self.server = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL)

    def probe(self) -> bool:
        """Whether the current server answered its liveness route. The probe runs in a thread:
        a worker busy with a request answers it only when done, and the memory watchdog must
        keep sampling meanwhile (a cgroup does not wait either)."""
        if self.answered == self.generation:
            return True
        if self.probing is None or not self.probing.is_alive():
            def probe(generation: int) -> None:
                if service_contract.answers_liveness(self.spec.port, self.keys):
                    self.answered = generation
            self.probing = threading.Thread(target=probe, args=(self.generation,), daemon=True)
            self.probing.start()
        return False

    def tree(self) -> list[psutil.Process]:
        try:
            return psutil.Process().children(recursive=True)
        except psutil.NoSuchProcess:
            return []

    def end_tree(self) -> None:
        for proc in self.tree():
            try:
                proc.kill()
            except psutil.NoSuchProcess:
                pass
        psutil.wait_procs(self.tree(), timeout=10)
        if self.server is not None:
            self.server.poll()

    def sizes(self) -> list[tuple[int, psutil.Process]]:
        """(resident bytes, process) of everything in the container."""
        sizes = []
        for proc in self.tree():
            try:
                sizes.append((proc.memory_info().rss, proc))
            except psutil.NoSuchProcess:
                continue
        return sizes

    def within_memory(self) -> bool:
        return not self.spec.memory_bytes or sum(size for size, _ in self.sizes()) <= self.spec.memory_bytes

    def check_memory(self) -> None:
        if not self.spec.memory_bytes:
            return
        sizes = self.sizes()
        if sum(size for size, _ in sizes) <= self.spec.memory_bytes:
            return
        workers = [(size, proc) for size, proc in sizes if self.server is None or proc.pid != self.server.pid]
        size, victim = max(workers or sizes, key=lambda pair: pair[0])
        try:
            victim.kill()
        except psutil.NoSuchProcess:
            return
        self.generation += 1
        self.status["oom_kills"] += 1
        limit_gb = self.spec.memory_bytes / 1024 ** 3
        self.say("worker killed: over the {:g} GB memory limit (OOM); the tree used {} MB, the worker {} MB".format(
            limit_gb, sum(s for s, _ in sizes) // 1024 ** 2, size // 1024 ** 2))
        # Before the container was first ready, init() itself is over the limit and the server can
        # never start; once it was, a worker killed while serving (the SDK retries the request that
        # killed it, so the new worker may get it before its probe answers) is rebooted, as with a cgroup.
        if not self.status.get("was_ready"):
            self.crash("killed for memory during init() (over the {:g} GB memory limit, OOM)".format(limit_gb))
        self.status["ready"] = False   # the new worker must answer, within the limit, to be running
        self.save()

    def crash(self, reason: str) -> None:
        self.crashes += 1
        self.status["reason"] = reason
        if self.crashes >= CRASH_LIMIT and not self.status["ready"]:
            self.status["state"] = "CrashLoopBackOff"
            self.say("CrashLoopBackOff: the server failed {} times before it was ready: {}".format(self.crashes,
                                                                                                  reason))

    def reap_orphans(self) -> None:
        """Orphaned processes that ended under this subreaper are collected, not left as zombies."""
        for proc in psutil.Process().children():
            if self.server is not None and proc.pid == self.server.pid:
                continue
            try:
                if proc.status() == psutil.STATUS_ZOMBIE:
                    os.waitpid(proc.pid, os.WNOHANG)
            except (psutil.NoSuchProcess, ChildProcessError):
                continue

    def restart(self, reason: str) -> None:
        self.end_tree()
        self.status["ready"] = False
        self.status["restarts"] += 1
        self.say("container restarted (restart {}): {}".format(self.status["restarts"], reason))
        self.save()
        self.start()

    def run(self) -> int:
        self.start()
        self.save()
        while True:
            time.sleep(POLL_SECONDS)
            code = self.server.poll() if self.server else None
            if code is not None:
                reason = "the inference server exited with code {}".format(code)
                if not self.status["ready"]:
                    self.crash(reason)
                if self.status["state"] == "CrashLoopBackOff":
                    self.end_tree()
                    self.save()
                    return code
                self.restart(reason)
                continue
            self.reap_orphans()
            self.check_memory()
            if self.status["state"] == "CrashLoopBackOff":
                self.end_tree()
                self.save()
                return 137
            # Ready once the server answers with the container within its memory: a cgroup would
            # have killed a server over it before init() could finish (the watchdog samples).
            if not self.status["ready"] and self.probe() and self.within_memory():
                self.status.update(ready=True, state="running", was_ready=True)
                self.crashes = 0
                self.save()


def main() -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    spec = service_contract.ServiceSpec.from_env()
    container = Container(sys.argv[1:], spec, Path(os.environ[service_contract.STATUS_FILE]))

    def on_term(signum: int, frame: FrameType | None) -> None:
        container.end_tree()
        sys.exit(0)

    signal.signal(signal.SIGTERM, on_term)
    code = container.run()
    service_contract.record_exit(code)
    sys.exit(code)


if __name__ == "__main__":
    main()
