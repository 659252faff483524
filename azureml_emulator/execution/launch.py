"""Start a service process detached from its deployer, then exit.

The service outlives the kernel that deployed it, as a real one does; going
through this short-lived launcher makes it a child of init rather than of the
kernel, so it is reaped when it ends and never lingers as a zombie; it starts with no
signal blocked.
Usage: python -m azureml_emulator.execution.launch CWD LOG_PATH ARGV...   (prints the PID)
"""
from __future__ import annotations

import signal
import subprocess
import sys


def main() -> None:
    cwd, log_path, argv = sys.argv[1], sys.argv[2], sys.argv[3:]
    # A blocked signal is inherited by the child: whatever its starter had blocked, the process
    # must be stoppable with SIGTERM.
    signal.pthread_sigmask(signal.SIG_SETMASK, [])
    with open(log_path, "ab") as log:
        child = subprocess.Popen(argv, cwd=cwd, stdout=log, stderr=subprocess.STDOUT,
                                 stdin=subprocess.DEVNULL, start_new_session=True)
    print(child.pid, flush=True)


if __name__ == "__main__":
    main()
