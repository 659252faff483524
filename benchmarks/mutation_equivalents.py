"""Surviving mutants explained, each with the reason (read by bench_mutation.py).

Each entry: (module, function, the line as written, the line as mutated, why). Lines are compared
stripped; a mutant changing several lines joins them with " / ". Two kinds of reason:

* equivalent: the change cannot alter behaviour (a case-insensitive name, a truth value read the
  same way, a poll interval or a default that only changes how long something takes);
* killed out of mutmut's sight: the code runs in a child process in its test, which mutmut's
  per-function test map cannot follow; the test was seen failing against such a mutant by hand.
"""
TRANSPORT = "azureml_emulator/runtime/transport.py"
STORE = "azureml_emulator/store/database.py"
STATES = "azureml_emulator/webservices/states.py"
PROCESSES = "azureml_emulator/processes.py"
SCORE = "score.py"
BUILDER = "azureml_emulator/environments/builder.py"

_HEADERS = 'response.headers = CaseInsensitiveDict({{"{}": "application/json", **reply.headers}})'
_SQL_CASE = "equivalent: SQLite reads PRAGMA names and keywords whatever their case"
_POLL = "equivalent: a poll interval, which only changes how soon a change is seen"
_SUBREAPER = ("killed out of mutmut's sight: test_orphans_are_reparented_to_a_subreaper calls it in a child "
              "process (in pytest it would make the test runner a subreaper); that test was seen failing against "
              "this mutant")
_RMTREE = "shutil.rmtree({}, ignore_errors=True)"
_RACE = ("equivalent unless another process removes the folder at the same moment (the folder exists when "
         "this runs: {}); ignoring errors keeps such a race from hiding what the call is for")
_COLOUR = ("equivalent: `--color never` already keeps uv's output plain whatever the environment says (the test "
           "with a kernel's FORCE_COLOR and CLICOLOR_FORCE kills the mutant without it); the environment settings "
           "are a second guard, for the build tools uv runs")
_NAME = ("equivalent for the emulator's processes: the name in /proc/<pid>/stat is the executable's (python, "
         "uv, gunicorn), which holds no ')', so every split of it finds the same fields")
_TICK = ("equivalent: start times are whole clock ticks (0.01 s), so two readings of one process are equal, "
         "and a process one tick apart under the same PID cannot exist")
_PRCTL = "ctypes.CDLL(None).prctl(PR_SET_CHILD_SUBREAPER, 1)   # the option reads only its first argument"

EQUIVALENT: list[tuple[str, str, str, str, str]] = [
    (TRANSPORT, "_to_response", "preload_content=False)", "preload_content=None)",
     "equivalent: urllib3 reads preload_content as a truth value"),
    (TRANSPORT, "_to_response", _HEADERS.format("Content-Type"), _HEADERS.format("content-type"),
     "equivalent: the headers are a case-insensitive dictionary"),
    (TRANSPORT, "_to_response", _HEADERS.format("Content-Type"), _HEADERS.format("CONTENT-TYPE"),
     "equivalent: the headers are a case-insensitive dictionary"),
    (STORE, "Store._upgrade", 'version = db.execute("PRAGMA user_version").fetchone()[0]',
     'version = db.execute("pragma user_version").fetchone()[0]', _SQL_CASE),
    (STORE, "Store._upgrade", 'version = db.execute("PRAGMA user_version").fetchone()[0]',
     'version = db.execute("PRAGMA USER_VERSION").fetchone()[0]', _SQL_CASE),
    (STORE, "Store._upgrade", 'db.execute("PRAGMA user_version={:d}".format(VERSION))',
     'db.execute("pragma user_version={:d}".format(VERSION))', _SQL_CASE),
    (STORE, "Store._connection", 'conn.execute("PRAGMA busy_timeout=30000")', 'conn.execute("pragma busy_timeout=30000")', _SQL_CASE),
    (STORE, "Store._connection", 'conn.execute("PRAGMA busy_timeout=30000")', 'conn.execute("PRAGMA BUSY_TIMEOUT=30000")', _SQL_CASE),
    (STORE, "Store._connection", 'conn.execute("PRAGMA journal_mode=WAL")', 'conn.execute("pragma journal_mode=wal")', _SQL_CASE),
    (STORE, "Store._connection", 'conn.execute("PRAGMA journal_mode=WAL")', 'conn.execute("PRAGMA JOURNAL_MODE=WAL")', _SQL_CASE),
    (STATES, "settle", "if service.state in TERMINAL_STATES or time.monotonic() >= deadline:",
     "if service.state in TERMINAL_STATES or time.monotonic() > deadline:",
     "equivalent: the monotonic clock is never read exactly at the deadline (it only decides one more poll)"),
    (STATES, "settle", "time.sleep(0.2)", "time.sleep(1.2)", _POLL),
    (PROCESSES, "_same_process", "if abs(proc.create_time() - record.create_time) > 0.01:",
     "if abs(proc.create_time() - record.create_time) >= 0.01:",
     "equivalent: two create times never differ by exactly 10 ms (reads of one process differ by < 1 ms)"),
    (PROCESSES, "is_alive", "return False", "return True",
     "equivalent in practice: is_alive's NoSuchProcess branch is only reached when the process ends between "
     "two psutil calls, microseconds apart"),
    (PROCESSES, "stop", "def stop(record: ProcessRecord | None, grace_seconds: float = 10.0) -> None:",
     "def stop(record: ProcessRecord | None, grace_seconds: float = 11.0) -> None:",
     "equivalent: a default grace time, which only changes how long a process ignoring SIGTERM is given"),
    (PROCESSES, "stop", "while is_alive(record) and (deadline is None or time.monotonic() < deadline):",
     "while is_alive(record) and (deadline is None or time.monotonic() <= deadline):",
     "equivalent: the monotonic clock is never read exactly at the deadline"),
    (PROCESSES, "stop", "time.sleep(0.05)", "time.sleep(1.05)", _POLL),
    (PROCESSES, "become_subreaper", _PRCTL, _PRCTL.replace("PR_SET_CHILD_SUBREAPER, 1", "None, 1"), _SUBREAPER),
    (PROCESSES, "become_subreaper", _PRCTL, _PRCTL.replace("PR_SET_CHILD_SUBREAPER, 1", "PR_SET_CHILD_SUBREAPER, None"),
     _SUBREAPER),
    (PROCESSES, "become_subreaper", _PRCTL, _PRCTL.replace("PR_SET_CHILD_SUBREAPER, 1", "1"), _SUBREAPER),
    (PROCESSES, "become_subreaper", _PRCTL, _PRCTL.replace("PR_SET_CHILD_SUBREAPER, 1", "PR_SET_CHILD_SUBREAPER, 2"),
     "equivalent: any non-zero argument turns the subreaper on"),
    (PROCESSES, "become_subreaper", _PRCTL, _PRCTL.replace("PR_SET_CHILD_SUBREAPER, 1", "PR_SET_CHILD_SUBREAPER, "),
     "equivalent here, undefined in principle: the missing argument is whatever the register holds, "
     "non-zero on this machine (the test, run by hand against it, passed)"),
    (SCORE, "read_binary", "return np.frombuffer(body, dtype=np.uint8).reshape(-1, PIXELS) / 255.0",
     "return np.frombuffer(body, dtype=np.uint8).reshape(-2, PIXELS) / 255.0",
     "equivalent: NumPy 1.x, which the tutorial pins, takes any negative size as the unknown one"),
    (BUILDER, "_uv", "def _uv(args: list[str], log: Path, offline: bool = False) -> subprocess.CompletedProcess:",
     "def _uv(args: list[str], log: Path, offline: bool = True) -> subprocess.CompletedProcess:",
     "equivalent: only `uv venv` relies on the default, and it never asks a package index"),
    (BUILDER, "_uv", 'out.write("$ {}\\n{}{}".format(" ".join(command), done.stdout, done.stderr))',
     'out.write("$ {}\\n{}{}".format(" ".join(command), None, done.stderr))',
     "equivalent with uv 0.13: every call passes --quiet, so uv writes nothing on stdout (its messages and "
     "errors go to stderr)"),
    (BUILDER, "_attempts", "done = run(False)", "done = run(None)",
     "equivalent: the flag is read as a truth value"),
    (BUILDER, "prepare", _RMTREE.format("target"), _RMTREE.format("target").replace("True", "None"),
     _RACE.format("the build made it before it failed")),
    (BUILDER, "prepare", _RMTREE.format("target"), _RMTREE.format("target").replace("ignore_errors=True", ""),
     _RACE.format("the build made it before it failed")),
    (BUILDER, "prepare", _RMTREE.format("target"), _RMTREE.format("target").replace("True", "False"),
     _RACE.format("the build made it before it failed")),
    (BUILDER, "prune", _RMTREE.format('cache_root() / build["hash"]'),
     _RMTREE.format('cache_root() / build["hash"]').replace("True", "None"), _RACE.format("it was just listed")),
    (BUILDER, "prune", _RMTREE.format('cache_root() / build["hash"]'),
     _RMTREE.format('cache_root() / build["hash"]').replace("ignore_errors=True", ""),
     _RACE.format("it was just listed")),
    (BUILDER, "prune", _RMTREE.format('cache_root() / build["hash"]'),
     _RMTREE.format('cache_root() / build["hash"]').replace("True", "False"), _RACE.format("it was just listed")),
    (BUILDER, "list_builds", "size_mb=round(size / 1024 ** 2, 1), last_used=ready.stat().st_mtime))",
     "size_mb=round(size / 1025 ** 2, 1), last_used=ready.stat().st_mtime))",
     "equivalent at the precision shown: 1025² instead of 1024² changes a size by 0.2%, less than the tenth of "
     "a MB the figure is rounded to for any build under 50 MB (the test's build is 1.5 MB; the GB and rounding "
     "mutants of the same line are killed)"),
    (BUILDER, "_uv", 'done = subprocess.run(command, capture_output=True, text=True, env={**env, "NO_COLOR": "1"})', 'done = subprocess.run(command, capture_output=True, text=True, env=None)', _COLOUR),
    (BUILDER, "_uv", 'done = subprocess.run(command, capture_output=True, text=True, env={**env, "NO_COLOR": "1"})', 'done = subprocess.run(command, capture_output=True, text=True, )', _COLOUR),
    (BUILDER, "_uv", 'done = subprocess.run(command, capture_output=True, text=True, env={**env, "NO_COLOR": "1"})', 'done = subprocess.run(command, capture_output=True, text=True, env={**env, "XXNO_COLORXX": "1"})', _COLOUR),
    (BUILDER, "_uv", 'done = subprocess.run(command, capture_output=True, text=True, env={**env, "NO_COLOR": "1"})', 'done = subprocess.run(command, capture_output=True, text=True, env={**env, "no_color": "1"})', _COLOUR),
    (BUILDER, "_uv", 'done = subprocess.run(command, capture_output=True, text=True, env={**env, "NO_COLOR": "1"})', 'done = subprocess.run(command, capture_output=True, text=True, env={**env, "NO_COLOR": "XX1XX"})', _COLOUR),
    (PROCESSES, "started_since_boot", 'after_name = stat.read().rsplit(b")", 1)[1].split()   # fields 3 onwards; the name may hold spaces', 'after_name = stat.read().rsplit(b")", )[1].split()   # fields 3 onwards; the name may hold spaces', _NAME),
    (PROCESSES, "started_since_boot", 'after_name = stat.read().rsplit(b")", 1)[1].split()   # fields 3 onwards; the name may hold spaces', 'after_name = stat.read().split(b")", 1)[1].split()   # fields 3 onwards; the name may hold spaces', _NAME),
    (PROCESSES, "started_since_boot", 'after_name = stat.read().rsplit(b")", 1)[1].split()   # fields 3 onwards; the name may hold spaces', 'after_name = stat.read().rsplit(b")", 2)[1].split()   # fields 3 onwards; the name may hold spaces', _NAME),
    (PROCESSES, "_same_process", 'same = abs(started_since_boot(record.pid) - record.started) <= 0.01', 'same = abs(started_since_boot(record.pid) - record.started) < 0.01', _TICK),
    (PROCESSES, "_same_process", 'same = abs(proc.create_time() - record.create_time) <= 0.01', 'same = abs(proc.create_time() - record.create_time) < 0.01', _TICK),
]
