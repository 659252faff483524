"""Process handling: processes start detached, are recognised by PID and create time
(so a reused PID is never signalled), and stop with their whole process group."""
import os
import sys
import time

import psutil
import pytest

from azureml_emulator.execution import processes
from azureml_emulator.execution.processes import ProcessRecord

# A parent that starts a child in its own process group, then both sleep.
FAMILY = ("import subprocess, sys, time; "
          "subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(120)']); time.sleep(120)")


@pytest.fixture
def started(tmp_path):
    records = []

    def start(code="import time; time.sleep(120)"):
        pid, created = processes.spawn([sys.executable, "-c", code], env={"PATH": "/usr/bin:/bin"}, cwd=tmp_path,
                                       log_path=tmp_path / "out.log")
        records.append(ProcessRecord(pid=pid, create_time=created))
        return records[-1]
    yield start
    for record in records:
        processes.stop(record, grace_seconds=1)


def wait_for_children(pid, count, timeout=10):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        children = psutil.Process(pid).children(recursive=True)
        if len(children) >= count:
            return [child.pid for child in children]
        time.sleep(0.05)
    raise AssertionError("process {} did not start {} children".format(pid, count))


def test_a_spawned_process_is_detached_from_its_starter(started):
    record = started()
    assert processes.is_alive(record)
    assert psutil.Process(record.pid).ppid() != psutil.Process().pid
    assert os.getpgid(record.pid) == record.pid   # leads its own group, so stop() can end the group


def test_stop_ends_the_whole_process_group(started):
    record = started(FAMILY)
    [child] = wait_for_children(record.pid, 1)
    processes.stop(record, grace_seconds=5)
    assert not processes.is_alive(record)
    deadline = time.monotonic() + 5
    while psutil.pid_exists(child) and psutil.Process(child).status() != psutil.STATUS_ZOMBIE:
        assert time.monotonic() < deadline, "the child outlived stop()"
        time.sleep(0.05)


def test_a_process_that_ignores_sigterm_is_killed_after_the_grace_time(started):
    record = started("import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(120)")
    time.sleep(0.5)   # let it install the handler
    began = time.monotonic()
    processes.stop(record, grace_seconds=1)
    assert not processes.is_alive(record)
    assert time.monotonic() - began >= 1


def test_a_reused_pid_is_not_ours_and_is_never_signalled(started):
    record = started()
    impostor = ProcessRecord(pid=record.pid, create_time=record.create_time - 100)
    assert not processes.is_alive(impostor)
    processes.stop(impostor, grace_seconds=1)
    assert processes.is_alive(record)


def test_exit_code_is_read_from_the_file_the_process_wrote(tmp_path):
    (tmp_path / "exit_code").write_text("3")
    assert processes.exit_code(ProcessRecord(1, 0.0, exit_code_file=str(tmp_path / "exit_code"))) == 3
    assert processes.exit_code(ProcessRecord(1, 0.0, exit_code_file=str(tmp_path / "missing"))) is None
    assert processes.exit_code(None) is None


def test_a_process_record_round_trips_through_json():
    record = ProcessRecord(pid=12, create_time=1.5, port=5001, dir="/d", log="/d/log", exit_code_file="/d/x")
    assert ProcessRecord.from_json(record.to_json()) == record
    assert ProcessRecord.from_json({}) is None
    assert ProcessRecord.from_json(None) is None
