"""ParallelRunStep inside its step's job: the driver (Azure's ``driver/amlbi_main.py``) and the
worker processes that call the user's entry script.

Runs in the job's Environment (its build's Python, 3.6 to 3.13), so it keeps to Python 3.6
and the standard library; a TabularDataset's rows are read with the job's own SDK
(azureml-dataset-runtime with pandas, which Azure requires in the Environment too).

The driver
1. reads the arguments the SDK gave the step (`Settings`): the entry script, the mini-batch
   size, the error threshold and allowed failures, the output action, the timeout and tries
   of ``run()``, the processes per node, the inputs and the output;
2. makes the mini-batches: a FileDataset's files (its mounted folder, in path order),
   ``mini_batch_size`` files each; a TabularDataset's rows, about ``mini_batch_size`` bytes
   (as CSV text) each;
3. starts ``node_count`` x ``process_count_per_node`` workers; each imports the entry script,
   calls ``init()`` once, then ``run(mini_batch)`` for each mini-batch it is sent;
4. counts failures as Azure does: a ``run()`` that raises or outlives ``run_invocation_timeout``
   (its worker is then ended and replaced) is tried again up to ``run_max_try`` times, then
   all its items fail; a ``run()`` that returns fewer rows than it was given fails the
   missing ones. More failed items than ``error_threshold`` (or failed mini-batches than
   ``allowed_failed_count``, or above ``allowed_failed_percent``) aborts the job;
5. writes the rows ``run()`` returned, one line each (a DataFrame's rows space-separated),
   to ``parallel_run_step.txt`` (or ``append_row_file_name``) in the output for
   ``append_row``, and keeps nothing for ``summary_only``;
6. writes Azure's log layout under ``logs/`` (uploaded with the step run): the progress
   overview, ``sys/master_role.txt``, each worker's ``sys/node/<node>/processNNN.txt``,
   its stdout and stderr under ``user/stdout`` and ``user/stderr``, the errors under
   ``user/error.txt`` and ``user/error/``, and ``job_result.txt``; and exits 0, or 42 as
   Azure's driver does when the job fails.
"""
import argparse
import importlib.util
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
from collections import deque
from multiprocessing.connection import Connection, wait
from typing import Any, Deque, Dict, List, Optional, Sequence, Tuple

DEFAULT_OUTPUT_FILE = "parallel_run_step.txt"
FAILED_EXIT_CODE = 42   # what Azure's driver exits with when the job fails
DEFAULT_FILES_PER_BATCH = 10
DEFAULT_BATCH_BYTES = 1024 * 1024
NODE_COUNT_VARIABLE = "AZUREML_NODE_COUNT"
ERROR_FILE_VARIABLE = "AZUREML_EMULATOR_JOB_ERROR_FILE"   # `job_contract.ERROR_FILE`
UNITS = {"kb": 1024, "mb": 1024 ** 2, "gb": 1024 ** 3}
ENTRY_SCRIPT_HELPER = '''"""The EntryScript helper Azure's workers offer (azureml_emulator's version)."""
import logging
import os


class EntryScript(object):
    """Where an entry script logs and writes, in the worker it runs in."""

    @property
    def logger(self):
        return logging.getLogger("entry_script")

    @property
    def agent_name(self):
        return os.environ.get("AZUREML_PRS_PROCESS_NAME", "process000")

    @property
    def log_dir(self):
        return os.environ.get("AZUREML_PRS_LOG_DIR", "logs/user/entry_script_log")

    @property
    def output_dir(self):
        return os.environ.get("AZUREML_PRS_OUTPUT_DIR", "")

    @property
    def working_dir(self):
        return os.getcwd()
'''


def _now() -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime())


def data_size(text: str) -> int:
    """``mini_batch_size`` as bytes: 1024, 10KB, 1MB, 1GB (the SDK checks the form)."""
    text = text.strip()
    unit = text[-2:].lower()
    if unit in UNITS:
        return int(text[:-2]) * UNITS[unit]
    return int(text)


class Settings(object):
    """The driver's arguments, as `ParallelRunStep` writes them."""

    def __init__(self, argv: Sequence[str]) -> None:
        parser = argparse.ArgumentParser(prog="amlbi_main.py", allow_abbrev=False)
        for name in ("client_sdk_version", "logging_level", "create_snapshot_at_runtime", "output",
                     "append_row_file_name", "partition_keys", "allowed_failed_count", "allowed_failed_percent",
                     "process_count_per_node"):
            parser.add_argument("--" + name, default=None)
        parser.add_argument("--scoring_module_name", required=True)
        parser.add_argument("--mini_batch_size", default=None)
        parser.add_argument("--error_threshold", type=int, default=-1)
        parser.add_argument("--output_action", default="append_row")
        parser.add_argument("--run_invocation_timeout", type=float, default=60)
        parser.add_argument("--run_max_try", type=int, default=3)
        known, _unknown = parser.parse_known_args(list(argv))
        self.argv = list(argv)
        self.entry_script = known.scoring_module_name
        self.mini_batch_size = known.mini_batch_size
        self.error_threshold = known.error_threshold
        self.allowed_failed_count = None if known.allowed_failed_count is None else int(known.allowed_failed_count)
        self.allowed_failed_percent = (None if known.allowed_failed_percent is None
                                       else float(known.allowed_failed_percent))
        self.output_action = known.output_action.lower()
        self.output = known.output
        self.output_file = known.append_row_file_name or DEFAULT_OUTPUT_FILE
        self.timeout = known.run_invocation_timeout
        self.max_try = known.run_max_try
        self.partition_keys = known.partition_keys
        self.processes = int(known.process_count_per_node) if known.process_count_per_node else (os.cpu_count() or 1)
        self.nodes = max(1, int(os.environ.get(NODE_COUNT_VARIABLE) or 1))
        self.file_inputs = []    # type: List[str]
        self.tabular_inputs = []   # type: List[str]
        for index, argument in enumerate(argv[:-1]):
            if argument.startswith("--input_fds_") or (argument.startswith("--input") and argument[7:].isdigit()):
                self.file_inputs.append(os.environ.get(argv[index + 1], argv[index + 1]))
            elif argument.startswith("--input_ds_"):
                self.tabular_inputs.append(argv[index + 1])


class Batch(object):
    """One mini-batch: what ``run()`` is given, how many items it counts as, its tries."""

    def __init__(self, index: int, items: Any, size: int, description: str) -> None:
        self.index, self.items, self.size, self.description = index, items, size, description
        self.tries = 0
        self.rows = []   # type: List[str]
        self.failed_items = 0
        self.done = False


def file_batches(folders: List[str], size: int) -> List[Batch]:
    batches = []   # type: List[Batch]
    for folder in folders:
        if os.path.isfile(folder):
            files = [folder]
        else:
            files = sorted(os.path.join(root, name) for root, _dirs, names in os.walk(folder) for name in names)
        for start in range(0, len(files), size):
            chunk = files[start:start + size]
            batches.append(Batch(len(batches), chunk, len(chunk), "{} files".format(len(chunk))))
    return batches


def tabular_batches(names: List[str], size: int) -> List[Batch]:
    """The rows of each TabularDataset input, read with the job's SDK, about ``size`` bytes of
    CSV text a mini-batch (at least one row)."""
    from azureml.core import Run
    inputs = Run.get_context().input_datasets
    batches = []   # type: List[Batch]
    for name in names:
        frame = inputs[name].to_pandas_dataframe()
        if len(frame) == 0:
            continue
        row_bytes = max(1.0, len(frame.to_csv(index=False, header=False)) / float(len(frame)))
        rows = max(1, int(size // row_bytes))
        for start in range(0, len(frame), rows):
            chunk = frame.iloc[start:start + rows]
            batches.append(Batch(len(batches), chunk, len(chunk), "{} rows".format(len(chunk))))
    return batches


class Logs(object):
    """Azure's log layout of a parallel run, under the job's ``logs/`` (uploaded with the run)."""

    def __init__(self, root: str) -> None:
        self.root = root
        self.overview = os.path.join(root, "job_progress_overview.{}.txt".format(time.strftime("%Y%m%d%H",
                                                                                              time.gmtime())))

    def folder(self, *parts: str) -> str:
        folder = os.path.join(self.root, *parts)
        if not os.path.isdir(folder):
            os.makedirs(folder)
        return folder

    def path(self, *parts: str) -> str:
        return os.path.join(self.folder(*parts[:-1]), parts[-1])

    def write(self, relative: str, text: str) -> None:
        with open(self.path(*relative.split("/")), "a") as log:
            log.write("{} {}\n".format(_now(), text))

    def progress(self, text: str) -> None:
        self.write(os.path.basename(self.overview), text)
        self.write("sys/master_role.txt", text)


class Worker(object):
    """One worker process of one node, and the pipes the driver talks to it through."""

    def __init__(self, node: int, number: int, settings: Settings, logs: Logs, helper: str) -> None:
        self.node, self.name = str(node), "process{:03d}".format(number)
        self.batch = None   # type: Optional[Batch]
        self.started = 0.0
        self.ready = False
        to_worker_read, to_worker_write = os.pipe()
        from_worker_read, from_worker_write = os.pipe()
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (helper, env.get("PYTHONPATH")) if p)
        env.update(AZUREML_PRS_PROCESS_NAME=self.name,
                   AZUREML_PRS_LOG_DIR=logs.folder("user", "entry_script_log", self.node),
                   AZUREML_PRS_OUTPUT_DIR=settings.output or "")
        stdout = open(logs.path("user", "stdout", self.node, self.name + ".stdout.txt"), "ab")
        stderr = open(logs.path("user", "stderr", self.node, self.name + ".stderr.txt"), "ab")
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-m", __name__, "--worker", str(to_worker_read), str(from_worker_write),
                 settings.entry_script] + settings.argv,
                env=env, stdout=stdout, stderr=stderr, stdin=subprocess.DEVNULL,
                pass_fds=(to_worker_read, from_worker_write))
        finally:
            stdout.close()
            stderr.close()
            os.close(to_worker_read)
            os.close(from_worker_write)
        self.send_end = Connection(to_worker_write, readable=False)
        self.receive_end = Connection(from_worker_read, writable=False)
        self.log_name = "sys/node/{}/{}.txt".format(self.node, self.name)

    def give(self, batch: Batch) -> None:
        self.batch, self.started = batch, time.time()
        batch.tries += 1
        self.send_end.send((batch.index, batch.items))

    def stop(self, kill: bool = False) -> None:
        if kill:
            self.process.kill()
        else:
            try:
                self.send_end.send(None)
            except (OSError, ValueError):
                pass
        try:
            self.process.wait(timeout=None if kill else 30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        for end in (self.send_end, self.receive_end):
            end.close()


class Driver(object):
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.logs = Logs(os.path.abspath("logs"))
        self.helper = ""   # the folder of the EntryScript helper's package, while the workers run
        self.workers = []   # type: List[Worker]
        self.numbers = {}   # type: Dict[int, int]
        self.failed_items = 0
        self.failed_batches = 0
        self.init_failures = {}   # type: Dict[str, int]
        self.error = None   # type: Optional[str]
        self.any_ready_ever = False
        self.first_ready = None   # type: Optional[float]

    # --- workers -------------------------------------------------------------------

    def start_worker(self, node: int) -> None:
        number = self.numbers.get(node, 0)
        self.numbers[node] = number + 1
        worker = Worker(node, number, self.settings, self.logs, self.helper)
        self.workers.append(worker)
        self.logs.write(worker.log_name, "Started {} (pid {}) on node {}.".format(
            worker.name, worker.process.pid, worker.node))

    def replace(self, worker: Worker, kill: bool) -> None:
        self.workers.remove(worker)
        worker.stop(kill=kill)
        self.start_worker(int(worker.node))

    def user_error(self, worker: Worker, text: str) -> None:
        self.logs.write("user/error/{}/{}.txt".format(worker.node, worker.name), text)
        first = text.strip().splitlines()[-1] if text.strip() else text
        self.logs.write("user/error.txt", "{} {}: {}".format(worker.node, worker.name, first))

    # --- the batches ---------------------------------------------------------------

    def make_batches(self) -> List[Batch]:
        settings = self.settings
        if settings.partition_keys:
            raise ValueError("not emulated by azureml_emulator: partition_keys of a ParallelRunStep")
        if settings.tabular_inputs:
            size = data_size(settings.mini_batch_size) if settings.mini_batch_size else DEFAULT_BATCH_BYTES
            return tabular_batches(settings.tabular_inputs, size)
        size = int(settings.mini_batch_size) if settings.mini_batch_size else DEFAULT_FILES_PER_BATCH
        if size < 1:
            raise ValueError("mini_batch_size {} is not a number of files of at least 1".format(size))
        return file_batches(settings.file_inputs, size)

    def finished(self, batch: Batch, rows: List[str], count: int) -> None:
        batch.done = True
        batch.rows = rows
        batch.failed_items = max(0, batch.size - count)
        if batch.failed_items:
            self.failed_items += batch.failed_items
            self.failed_batches += 1

    def failed(self, batch: Batch, pending: Deque[Batch], reason: str) -> None:
        if batch.tries < self.settings.max_try:
            pending.append(batch)
            self.logs.progress("Mini batch {} failed (try {} of {}): {}; it is tried again.".format(
                batch.index, batch.tries, self.settings.max_try, reason))
            return
        batch.done = True
        batch.failed_items = batch.size
        self.failed_items += batch.size
        self.failed_batches += 1
        self.logs.progress("Mini batch {} failed after {} tries: {}.".format(batch.index, batch.tries, reason))

    def over_threshold(self, total: int, all_scheduled: bool) -> Optional[str]:
        settings = self.settings
        if settings.error_threshold != -1 and self.failed_items > settings.error_threshold:
            return ("The number of failed items ({}) exceeded the error threshold ({}). See logs/user/error.txt "
                    "and logs/user/error/ for the errors.".format(self.failed_items, settings.error_threshold))
        if settings.allowed_failed_count not in (None, -1) and self.failed_batches > (settings.allowed_failed_count
                                                                                       or 0):
            return ("The number of failed mini batches ({}) exceeded allowed_failed_count ({})."
                    .format(self.failed_batches, settings.allowed_failed_count))
        if settings.allowed_failed_percent is not None and all_scheduled and total and (
                100.0 * self.failed_batches / total > settings.allowed_failed_percent):
            return ("The failed mini batches ({:.1f}%) exceeded allowed_failed_percent ({}).".format(
                100.0 * self.failed_batches / total, settings.allowed_failed_percent))
        return None

    # --- the loop --------------------------------------------------------------------

    def schedule(self, batches: List[Batch]) -> None:
        settings = self.settings
        pending = deque(batches)   # type: Deque[Batch]
        for node in range(settings.nodes):
            for _ in range(settings.processes):
                self.start_worker(node)
        init_deadline = time.time() + 3 * settings.timeout + 30
        while any(not batch.done for batch in batches):
            for worker in self.workers:
                if worker.ready and worker.batch is None and pending:
                    batch = pending.popleft()
                    try:
                        worker.give(batch)
                    except OSError:   # the worker is gone: its end of the pipe says so next
                        worker.batch = None
                        batch.tries -= 1
                        pending.appendleft(batch)
                        continue
                    self.logs.write(worker.log_name, "Mini batch {} ({}) started, try {}.".format(
                        batch.index, batch.description, batch.tries))
            busy = [w for w in self.workers if w.batch is not None]
            deadlines = [w.started + settings.timeout for w in busy]
            wait_for = min(deadlines + [time.time() + 1.0]) - time.time()
            readable = wait([w.receive_end for w in self.workers], timeout=max(0.0, wait_for))
            for worker in list(self.workers):
                if worker.receive_end in readable:
                    self.receive(worker, pending)
            now = time.time()
            for worker in list(self.workers):
                if worker.batch is not None and now > worker.started + settings.timeout:
                    batch, worker.batch = worker.batch, None
                    reason = "run() did not return within run_invocation_timeout ({:g} s)".format(settings.timeout)
                    self.user_error(worker, "Mini batch {}: {}; {} was ended.".format(batch.index, reason,
                                                                                     worker.name))
                    self.failed(batch, pending, reason)
                    self.replace(worker, kill=True)
            if not any(w.ready for w in self.workers) and now > init_deadline and not self.any_ready_ever:
                self.error = ("No worker finished init() within {:g} s (3 x run_invocation_timeout + 30).".format(
                    3 * settings.timeout + 30))
            if self.error is None:
                self.error = self.over_threshold(len(batches), not pending)
            if self.error is not None:
                return
        self.error = self.over_threshold(len(batches), True)

    def receive(self, worker: Worker, pending: Deque[Batch]) -> None:
        try:
            message = worker.receive_end.recv()
        except (EOFError, OSError):
            code = worker.process.wait()
            batch, worker.batch = worker.batch, None
            reason = "{} exited with code {}".format(worker.name, code)
            self.user_error(worker, reason + " (see logs/user/stderr/{}/{}.stderr.txt)".format(worker.node,
                                                                                             worker.name))
            if batch is not None:
                self.failed(batch, pending, reason)
            if worker.ready:
                self.replace(worker, kill=True)
            else:
                self.init_failed(worker, reason)
            return
        kind = message[0]
        if kind == "ready":
            worker.ready = self.any_ready_ever = True
            self.first_ready = self.first_ready or time.time()
            self.logs.write(worker.log_name, "init() finished.")
        elif kind == "init_failed":
            self.user_error(worker, message[1])
            self.init_failed(worker, "init() raised " + message[1].strip().splitlines()[-1])
        elif kind == "done":
            batch, worker.batch = worker.batch, None
            if batch is None:
                return
            _index, rows, count, seconds = message[1:]
            self.finished(batch, rows, count)
            self.logs.write(worker.log_name, "Mini batch {}: {} items, {} succeeded, {} failed; run() took "
                                             "{:.3f} s.".format(batch.index, batch.size, batch.size - batch.failed_items,
                                                                batch.failed_items, seconds))
            if batch.failed_items:
                self.user_error(worker, "Mini batch {}: run() returned {} rows for {} items; the other {} items "
                                        "count as failed.".format(batch.index, count, batch.size, batch.failed_items))
        elif kind == "run_failed":
            batch, worker.batch = worker.batch, None
            self.user_error(worker, message[2])
            if batch is not None:
                self.logs.write(worker.log_name, "Mini batch {}: run() raised.".format(batch.index))
                self.failed(batch, pending, "run() raised " + message[2].strip().splitlines()[-1])

    def init_failed(self, worker: Worker, reason: str) -> None:
        """A worker whose init() failed is replaced, until its node has seen 3 x processes failures;
        when no worker is left, the job fails."""
        failures = self.init_failures[worker.node] = self.init_failures.get(worker.node, 0) + 1
        self.workers.remove(worker)
        worker.stop(kill=True)
        if failures < 3 * self.settings.processes:
            self.start_worker(int(worker.node))
        elif not self.workers:
            self.error = "init() failed {} times on node {}: {}".format(failures, worker.node, reason)

    def write_output(self, batches: List[Batch]) -> Optional[str]:
        if self.settings.output_action != "append_row":
            return None
        if not self.settings.output:
            raise ValueError("append_row needs the step's output")
        if not os.path.isdir(self.settings.output):
            os.makedirs(self.settings.output)
        target = os.path.join(self.settings.output, self.settings.output_file)
        with open(target, "w") as out:
            for batch in batches:
                for row in batch.rows:
                    out.write(row + "\n")
        return target

    def run(self) -> int:
        self.helper = tempfile.mkdtemp(prefix="azureml-emulator-prs-")
        try:
            package = os.path.join(self.helper, "azureml_user", "parallel_run")
            os.makedirs(package)
            open(os.path.join(self.helper, "azureml_user", "__init__.py"), "w").close()
            with open(os.path.join(package, "__init__.py"), "w") as helper:
                helper.write(ENTRY_SCRIPT_HELPER)
            return self.process()
        finally:
            shutil.rmtree(self.helper, ignore_errors=True)

    def process(self) -> int:
        logs = self.logs
        logs.progress("ParallelRunStep (azureml_emulator): entry script {}, {} node(s) x {} process(es).".format(
            self.settings.entry_script, self.settings.nodes, self.settings.processes))
        try:
            batches = self.make_batches()
        except Exception as error:
            return self.fail("The mini batches could not be made: {}".format(error))
        logs.progress("{} mini batches were created ({} items).".format(len(batches), sum(b.size for b in batches)))
        started = time.time()
        try:
            self.schedule(batches)
        finally:
            for worker in list(self.workers):
                worker.stop(kill=self.error is not None)
        processed = sum(1 for b in batches if b.done)
        ended = time.time()
        logs.progress("{} of {} mini batches processed in {:.3f} s ({:.3f} s from the first worker's init()); {} "
                      "items failed in {} mini batches.".format(processed, len(batches), ended - started,
                                                               ended - (self.first_ready or started),
                                                               self.failed_items, self.failed_batches))
        if self.error is not None:
            return self.fail(self.error)
        target = self.write_output(batches)
        if target is not None:
            logs.progress("The rows were written to {}.".format(self.settings.output_file))
        logs.write("job_result.txt", "Job succeeded: {} mini batches, {} items failed.".format(
            len(batches), self.failed_items))
        logs.progress("The job succeeded.")
        print("ParallelRunStep: {} mini batches processed, {} items failed.".format(len(batches), self.failed_items))
        return 0

    def fail(self, reason: str) -> int:
        self.logs.write("job_result.txt", "Job failed: " + reason)
        self.logs.progress("The job failed: " + reason)
        print("ParallelRunStep failed: " + reason, file=sys.stderr)
        error_file = os.environ.get(ERROR_FILE_VARIABLE)
        if error_file:
            with open(error_file, "w") as out:
                out.write(reason)
        return FAILED_EXIT_CODE


# --- the worker --------------------------------------------------------------------------

def rows_of(result: Any) -> Tuple[List[str], int]:
    """The lines ``run()``'s result adds to the output, and how many items it counts as."""
    if hasattr(result, "to_csv") and hasattr(result, "columns"):   # a pandas DataFrame
        text = result.to_csv(sep=" ", header=False, index=False)
        return [line for line in text.splitlines()], len(result)
    if isinstance(result, (list, tuple)) or (hasattr(result, "tolist") and hasattr(result, "shape")):
        items = list(result)
        return [str(item) for item in items], len(items)
    raise TypeError("run() must return a pandas DataFrame or a list (one element per successful item); it returned "
                    "{}".format(type(result).__name__))


def load_entry_script(path: str) -> Any:
    name = os.path.splitext(os.path.basename(path))[0]
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError("The entry script {} cannot be imported".format(path))
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    if not callable(getattr(module, "run", None)):
        raise AttributeError("The entry script {} has no run(mini_batch) function".format(path))
    return module


def worker(argv: List[str]) -> int:
    receive_end = Connection(int(argv[0]), writable=False)
    send_end = Connection(int(argv[1]), readable=False)
    script, arguments = argv[2], argv[3:]
    from azureml_emulator.execution import job_runtime
    job_runtime.route_requests_to_bridge()
    job_runtime.route_urlopen_to_bridge()
    logging.basicConfig(level=logging.INFO, stream=sys.stdout)   # Azure sends the root logger to stdout
    path = os.path.abspath(script)
    sys.argv = [path] + arguments
    sys.path.insert(0, os.path.dirname(path))
    try:
        module = load_entry_script(path)
        if callable(getattr(module, "init", None)):
            module.init()
    except BaseException:
        send_end.send(("init_failed", traceback.format_exc()))
        return 1
    send_end.send(("ready",))
    while True:
        try:
            message = receive_end.recv()
        except EOFError:
            break
        if message is None:
            break
        index, items = message
        started = time.time()
        try:
            rows, count = rows_of(module.run(items))
        except BaseException:
            send_end.send(("run_failed", index, traceback.format_exc()))
            continue
        finally:
            sys.stdout.flush()
        send_end.send(("done", index, rows, count, time.time() - started))
    try:
        job_runtime.flush_run()
    except Exception as error:
        print("azureml_emulator: sending the run's queued metrics failed: {}".format(error), file=sys.stderr)
    return 0


def main(argv: List[str]) -> int:
    """The driver: ``argv`` is the step's command line after the script."""
    return Driver(Settings(argv)).run()


if __name__ == "__main__":
    if sys.argv[1:2] == ["--worker"]:
        sys.exit(worker(sys.argv[2:]))
    sys.exit(main(sys.argv[1:]))
