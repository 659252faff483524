"""The loopback HTTP server through which a job reaches the emulated workspace.

A job is another process (in its own Environment), so the kernel's in-process transport
cannot answer it. Its supervisor runs this server on 127.0.0.1; the job's runtime sends
every request for the emulator's hosts here, naming the host in a header and carrying a
per-job secret, and the emulator's own router answers exactly as it answers the kernel.
"""
from __future__ import annotations

import secrets
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from azureml_emulator.addresses import EMULATOR_HOST
from azureml_emulator.context import Emulator
from azureml_emulator.execution.job_contract import HOST_HEADER, SECRET_HEADER
from azureml_emulator.runtime.routes import ROUTER


class Bridge:
    """Serve the emulator's routes on a free loopback port until `stop`."""

    def __init__(self, emulator: Emulator) -> None:
        self.secret = secrets.token_hex(16)
        bridge = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                pass

            def _answer(self) -> None:
                if not secrets.compare_digest(self.headers.get(SECRET_HEADER, ""), bridge.secret):
                    self.send_error(403, "not a request of this job")
                    return
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                url = "https://{}{}".format(self.headers.get(HOST_HEADER) or EMULATOR_HOST, self.path)
                reply = ROUTER.dispatch(self.command, url, body, emulator, dict(self.headers.items()))
                content = reply.content()
                self.send_response(reply.status, reply.reason)
                headers = {"Content-Type": "application/json", **reply.headers}
                if self.command != "HEAD":
                    headers["Content-Length"] = str(len(content))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(content)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _answer

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = "http://127.0.0.1:{}".format(self.server.server_address[1])
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
