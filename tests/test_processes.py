"""Process handling: processes start detached, are recognised by PID and create time
(so a reused PID is never signalled), and stop with their whole process group."""
import os
import subprocess
import sys
import textwrap
import time

import psutil
import pytest

from azureml_emulator import processes
from azureml_emulator.processes import ProcessRecord

# A parent that starts a child in its own process group, then both sleep.
FAMILY = ("import subprocess, sys, time; "
          "subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(120)']); time.sleep(120)")


@pytest.fixture
def started(tmp_path):
    records = []

    def start(code="import time; time.sleep(120)"):
        pid, created, since_boot = processes.spawn([sys.executable, "-c", code], env={"PATH": "/usr/bin:/bin"},
                                                   cwd=tmp_path, log_path=tmp_path / "out.log")
        records.append(ProcessRecord(pid=pid, create_time=created, started=since_boot))
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
    time.sleep(0.5)   # a signal, had one been sent, would have ended it by now
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


def test_a_spawned_process_runs_in_its_folder_with_its_environment_and_logs_both_streams(tmp_path):
    folder = tmp_path / "work"
    folder.mkdir()
    code = ("import os, sys; print('cwd', os.getcwd()); print('env', os.environ.get('WHO'), 'PATH' in os.environ); "
            "print('on stderr', file=sys.stderr)")
    pid, created, since_boot = processes.spawn([sys.executable, "-c", code], env={"WHO": "the-service"},
                                               cwd=folder, log_path=tmp_path / "service.log")
    record = ProcessRecord(pid=pid, create_time=created, started=since_boot)
    deadline = time.monotonic() + 20
    while processes.is_alive(record):
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert sorted((tmp_path / "service.log").read_text().splitlines()) == [
        "cwd {}".format(folder), "env the-service False", "on stderr"]


def test_stop_returns_as_soon_as_the_process_has_ended(started):
    record = started()
    began = time.monotonic()
    processes.stop(record, grace_seconds=30)
    assert not processes.is_alive(record) and time.monotonic() - began < 10


def test_an_ended_process_not_yet_reaped_is_not_alive(tmp_path):
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    record = ProcessRecord(pid=child.pid, create_time=psutil.Process(child.pid).create_time())
    deadline = time.monotonic() + 20
    while psutil.Process(child.pid).status() != psutil.STATUS_ZOMBIE:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert not processes.is_alive(record)   # a zombie: ended, only its exit status is left
    processes.stop(record, grace_seconds=1)
    child.wait()


def test_a_create_time_a_little_off_is_still_the_same_process(started):
    """psutil's create time is rounded differently from one read to the next by a few ms, not more."""
    record = started()
    assert processes.is_alive(ProcessRecord(pid=record.pid, create_time=record.create_time + 0.005))
    assert not processes.is_alive(ProcessRecord(pid=record.pid, create_time=record.create_time + 0.5))
    assert not processes.is_alive(ProcessRecord(pid=None, create_time=record.create_time))


def test_orphans_are_reparented_to_a_subreaper(tmp_path):
    """What a service supervisor relies on to find and end workers whose parent died."""
    reparented = tmp_path / "ppid"
    script = textwrap.dedent("""
        import os, subprocess, sys, time
        from azureml_emulator.processes import become_subreaper
        become_subreaper()
        orphan = "import os, time; time.sleep(1); open({path!r}, 'w').write(str(os.getppid()))"
        subprocess.Popen([sys.executable, "-c", "import subprocess, sys; subprocess.Popen([sys.executable, '-c', "
                          + repr(orphan) + "])"]).wait()   # the middle process exits at once
        os.wait()   # the orphan is now this process's child
        print(open({path!r}).read() == str(os.getpid()))
    """).format(path=str(reparented))
    answer = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert answer.stdout.strip() == "True", answer.stderr


def test_no_record_is_no_process():
    assert not processes.is_alive(None)
    processes.stop(None)   # nothing to stop


def test_a_program_that_cannot_start_is_an_error_naming_it(tmp_path):
    with pytest.raises(subprocess.CalledProcessError) as failed:
        processes.spawn([str(tmp_path / "no-such-program")], env={}, cwd=tmp_path, log_path=tmp_path / "log")
    assert "No such file or directory" in failed.value.stderr and "no-such-program" in failed.value.stderr


def test_a_record_ignores_fields_it_does_not_know_and_needs_a_create_time():
    assert ProcessRecord.from_json({"pid": 3, "create_time": 1.0, "added_later": "x"}) == ProcessRecord(3, 1.0)
    assert ProcessRecord.from_json({"pid": 3}) is None


def test_a_process_spawned_while_its_starter_blocks_sigterm_still_stops_on_sigterm(started):
    """A starter that has SIGTERM blocked (as a profiler once did while it started a service)
    does not pass the block on: stop() ends the process at once, not after its grace time."""
    import signal
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})
    try:
        record = started()
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM})
    blocked = [line for line in open("/proc/{}/status".format(record.pid)) if line.startswith("SigBlk:")][0]
    assert int(blocked.split()[1], 16) & (1 << (signal.SIGTERM - 1)) == 0
    began = time.monotonic()
    processes.stop(record, grace_seconds=30)
    assert not processes.is_alive(record) and time.monotonic() - began < 10


def test_a_process_is_known_by_when_it_started_since_boot_not_by_the_clock(started):
    """Setting the system clock moves every process's epoch start time (psutil adds the boot
    time, which moves with the clock): a live job was taken for gone and its run Failed."""
    record = started()
    assert abs(record.started - (psutil.Process(record.pid).create_time() - psutil.boot_time())) < 0.02
    moved = ProcessRecord(pid=record.pid, create_time=record.create_time - 1.0, started=record.started)
    assert processes.is_alive(moved)
    other = ProcessRecord(pid=record.pid, create_time=record.create_time, started=record.started - 5.0)
    assert not processes.is_alive(other)   # the same PID, started at another time: another process
    close = ProcessRecord(pid=record.pid, create_time=record.create_time, started=record.started - 0.5)
    assert not processes.is_alive(close)   # half a second is not the same start either
    older = ProcessRecord(pid=record.pid, create_time=record.create_time)   # written before `started`
    assert processes.is_alive(older)
