"""Run a training script inside its job, as Azure's execution wrapper does.

Runs in the job's Environment (a build, not the kernel's Python), with only the modules of
the emulator it imports copied beside it (`job_contract`), so it keeps to Python 3.6. It
1. sends every `requests` and `urllib.request.urlopen` call for the emulator's hosts to
   the job's bridge (a loopback HTTP server its supervisor runs, which answers with the
   emulator's endpoints) and refuses every other one, so nothing leaves the machine from
   a job either (a script that opens sockets itself is not stopped: see docs/emulator/differences.md);
2. lets azureml-mlflow download from the emulator's Blob Storage;
3. runs the script as ``__main__`` with its arguments;
4. waits for the SDK's queued metrics to be sent (as Azure's wrapper does), and writes
   the traceback of a failing script where the supervisor reads it.
Usage: python -m azureml_emulator.execution.job_runtime SCRIPT ARGS...
"""
import os
import runpy
import sys
import traceback
from typing import Any, Dict, Optional, Tuple
from urllib.parse import urlsplit, urlunsplit

from azureml_emulator.addresses import EMULATOR_HOST, host_kind
from azureml_emulator.execution.after_import import when_imported
from azureml_emulator.execution.job_contract import BRIDGE, ERROR_FILE, HOST_HEADER, SECRET, SECRET_HEADER

FLUSH_TIMEOUT_SECONDS = 300
ROUTED = "_azureml_emulator_routed"   # marks a function that routes to the bridge (routing twice would refuse)


def bridged(url: str) -> Optional[Tuple[str, Dict[str, str]]]:
    """The bridge URL and headers that carry a request for ``url``; None when ``url`` is not
    one of the emulator's hosts (the request must be refused)."""
    parts = urlsplit(url)
    if host_kind(parts.hostname) is None:
        return None
    bridge = urlsplit(os.environ[BRIDGE])
    return (urlunsplit((bridge.scheme, bridge.netloc, parts.path, parts.query, "")),
            {HOST_HEADER: parts.hostname or "", SECRET_HEADER: os.environ[SECRET]})


def refusal(request: str) -> str:
    return ("azureml_emulator: this job runs offline, so this request was not sent: {}. Jobs reach only the "
            "emulated Azure ML workspace.".format(request))


def route_requests_to_bridge() -> None:
    """Patch `requests` (when the Environment has it) so the SDK reaches the emulator."""
    try:
        import requests
        from requests.adapters import HTTPAdapter
    except ImportError:
        return
    original_send = HTTPAdapter.send
    if getattr(original_send, ROUTED, False):   # routed already (a command job's process routes on import)
        return

    def send(adapter: Any, request: Any, **kwargs: Any) -> Any:
        route = bridged(request.url)
        if route is None:
            raise requests.ConnectionError(refusal("{} {}".format(request.method, request.url)), request=request)
        forwarded = request.copy()
        forwarded.url = route[0]
        forwarded.headers.update(route[1])
        response = original_send(adapter, forwarded, **kwargs)
        response.url = request.url
        response.request = request
        return response

    setattr(send, ROUTED, True)
    # The adapter's method is replaced on its class, a patch mypy refuses as an assignment.
    setattr(HTTPAdapter, "send", send)


def route_urlopen_to_bridge(module: Any = None) -> None:
    """``urllib.request.urlopen`` too: the emulator's hosts through the bridge, nothing else.
    ``module`` is ``urllib.request`` when it is being imported (not yet an attribute of ``urllib``)."""
    import urllib.error
    if module is None:
        import urllib.request as module
    original_urlopen = module.urlopen
    if getattr(original_urlopen, ROUTED, False):
        return
    Request = module.Request

    def urlopen(url: Any, data: Any = None, *args: Any, **kwargs: Any) -> Any:
        request = url if isinstance(url, Request) else Request(str(url), data=data)
        route = bridged(request.full_url)
        if route is None:
            raise urllib.error.URLError(refusal(request.full_url))
        forwarded = Request(route[0], data=request.data, headers={
            **dict(request.header_items()), **route[1]}, method=request.get_method())
        return original_urlopen(forwarded, *args, **kwargs)

    setattr(urlopen, ROUTED, True)
    module.urlopen = urlopen


def mlflow_downloads_from_the_emulator() -> None:
    """azureml-mlflow downloads only from ``<account>.blob.<its cloud's storage suffix>``: here
    the emulator's Blob Storage (the kernel's side is `tracking.sdk`)."""
    when_imported("azureml.mlflow._common._cloud.cloud", lambda cloud: setattr(
        cloud.AZURE_PUBLIC_CLOUD.suffixes, "storage_endpoint", EMULATOR_HOST))


def flush_run() -> None:
    """Send what the SDK still queues (metrics are batched in the background)."""
    run_base = sys.modules.get("azureml._run_impl.run_base")
    if run_base is not None:
        run_base._RunBase._kill(timeout=FLUSH_TIMEOUT_SECONDS)


def script_traceback(error: BaseException, script: str) -> str:
    """The traceback from the script's own frames on, as `python script.py` would print it."""
    tb = error.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename != script:
        tb = tb.tb_next
    return "".join(traceback.format_exception(type(error), error, tb or error.__traceback__))


def main() -> int:
    script, arguments = sys.argv[1], sys.argv[2:]
    route_requests_to_bridge()
    route_urlopen_to_bridge()
    mlflow_downloads_from_the_emulator()
    sys.argv = [script] + arguments
    sys.path.insert(0, os.path.dirname(os.path.abspath(script)))
    code = 0
    try:
        runpy.run_path(script, run_name="__main__")
    except SystemExit as exit:
        code = exit.code if isinstance(exit.code, int) else (0 if exit.code is None else 1)
        if exit.code not in (None, 0) and not isinstance(exit.code, int):
            print(exit.code, file=sys.stderr)
    except BaseException as error:
        text = script_traceback(error, script)
        sys.stderr.write(text)
        with open(os.environ[ERROR_FILE], "w") as error_file:
            error_file.write(text)
        code = 1
    finally:
        sys.stdout.flush()
        try:
            flush_run()
        except Exception as error:   # the script's own result stands; say what was lost
            print("azureml_emulator: sending the run's queued metrics failed: {}".format(error), file=sys.stderr)
    return code


if __name__ == "__main__":
    sys.exit(main())
