"""Entry point of one service process, started by the supervisor in the environment's
build: apply the deployment's CPU limit, then serve the inference server's app under
gunicorn on 127.0.0.1 only.

`azmlinfsrv` always binds 0.0.0.0 and has no option to change it, so this builds the
same gunicorn command line it builds (same timeout, logging and worker count defaults),
with a loopback bind address instead.

It runs in the build's Python, whatever the Environment names (3.6 and later), with whatever
inference server and gunicorn that Python resolved to, so it is written for Python 3.6 and
asks gunicorn which options it knows.
"""
import os
import sys
from typing import List

from azureml_emulator.execution import service_contract


def apply_limits(spec: service_contract.ServiceSpec) -> None:
    """ACI's cpu cores as CPU affinity (memory is watched by the supervisor, on the whole tree)."""
    if spec.cpus:
        os.sched_setaffinity(0, spec.cpus)
        threads = str(len(spec.cpus))
        for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
            os.environ[var] = threads


def gunicorn_knows(flag: str) -> bool:
    """Whether the installed gunicorn has the command-line option ``flag``."""
    from gunicorn.config import KNOWN_SETTINGS
    return any(flag in (setting.cli or ()) for setting in KNOWN_SETTINGS)


def gunicorn_argv(spec: service_contract.ServiceSpec) -> List[str]:
    # A newer gunicorn (27) otherwise shares one per-user control socket between servers; older
    # ones (23, which Python 3.8 and 3.9 resolve to) have none, and refuse the option.
    control_socket = ["--no-control-socket"] if gunicorn_knows("--no-control-socket") else []
    return [
        "azureml-emulator-service",
        "-b", "127.0.0.1:{}".format(spec.port),
        "-w", os.environ.get(service_contract.WORKER_COUNT, "1"),
        "--timeout", os.environ.get(service_contract.WORKER_TIMEOUT, "300"),
        "--access-logfile", "-",
        "--error-logfile", "-",
        *control_socket,
        service_contract.APP_MODULE + ":app",
    ]


def main() -> None:
    spec = service_contract.ServiceSpec.from_env()
    apply_limits(spec)
    try:
        import gunicorn.app.wsgiapp
        from azureml_inference_server_http import __version__ as server_version
    except ImportError as missing:
        # Azure's container runs gunicorn from the environment; without azureml-defaults
        # it stops with "./run: line 14: exec: gunicorn: not found".
        print("./run: line 14: exec: gunicorn: not found\nazureml_emulator: the environment has no inference "
              "server ({}): add 'azureml-defaults' to its pip packages.".format(missing), flush=True)
        service_contract.record_exit(127)
        sys.exit(127)
    print("Azure ML Inferencing HTTP server v{} (azureml_emulator, bound to 127.0.0.1:{})".format(
        server_version, spec.port), flush=True)
    print("Entry script: {}\nModel directory: {}\nCPU affinity: {}\nMemory limit: {}".format(
        os.environ.get(service_contract.ENTRY_SCRIPT), os.environ.get(service_contract.MODEL_DIR),
        spec.cpus, spec.memory_bytes), flush=True)
    sys.path.append(os.environ[service_contract.APP_ROOT])
    sys.argv = gunicorn_argv(spec)
    try:
        gunicorn.app.wsgiapp.WSGIApplication("%(prog)s [OPTIONS] [APP_MODULE]").run()
    except SystemExit as exit:
        # gunicorn exits with 3 when a worker fails to boot, e.g. init() raised.
        service_contract.record_exit(exit.code if isinstance(exit.code, int) else 1)
        raise


if __name__ == "__main__":
    main()
