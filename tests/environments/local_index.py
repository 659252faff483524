"""A package index of the tests' own on 127.0.0.1, so builds run against real distributions
in a fraction of a second and without the network.

It speaks the JSON simple API (PEP 691), which uv and the builder's wheel check both read,
and serves wheels and source distributions the tests write: a wheel is a zip with its
metadata; a source distribution carries an in-tree build backend with no requirements, so
uv can build it offline. Stopping the index closes its port (the "index unreachable" case).
"""
from __future__ import annotations

import hashlib
import io
import json
import tarfile
import threading
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

# An in-tree PEP 517 backend: builds the wheel from nothing but the standard library.
BACKEND = '''
import os, zipfile
NAME, VERSION, DIST = {name!r}, {version!r}, {dist!r}
METADATA = "Metadata-Version: 2.1\\nName: %s\\nVersion: %s\\n" % (NAME, VERSION)
INFO = DIST + "-" + VERSION + ".dist-info"

def get_requires_for_build_wheel(config_settings=None):
    if not {buildable!r}:
        raise RuntimeError("this source distribution needs a C compiler")
    return []

def prepare_metadata_for_build_wheel(directory, config_settings=None):
    get_requires_for_build_wheel()
    os.makedirs(os.path.join(directory, INFO))
    with open(os.path.join(directory, INFO, "METADATA"), "w") as out:
        out.write(METADATA)
    return INFO

def build_wheel(directory, config_settings=None, metadata_directory=None):
    name = DIST + "-" + VERSION + "-py3-none-any.whl"
    files = {{DIST + ".py": "BUILT_FROM_SOURCE = True\\n", INFO + "/METADATA": METADATA,
             INFO + "/WHEEL": "Wheel-Version: 1.0\\nGenerator: tests\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n"}}
    files[INFO + "/RECORD"] = "".join(path + ",,\\n" for path in files) + INFO + "/RECORD,,\\n"
    with zipfile.ZipFile(os.path.join(directory, name), "w") as wheel:
        for path, text in files.items():
            wheel.writestr(path, text)
    return name
'''


def _normal(name: str) -> str:
    return name.replace("_", "-").lower()


class LocalIndex:
    """``url`` is the simple index's address (``http://127.0.0.1:<port>/simple``)."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        index = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                parts = [part for part in self.path.split("/") if part]
                if len(parts) == 2 and parts[0] == "simple":
                    files = index.files_of(parts[1])
                    if not files:
                        return self.send_error(404)
                    body = json.dumps({"meta": {"api-version": "1.0"}, "name": parts[1], "files": [
                        {"filename": f.name, "url": "/files/" + f.name,
                         "hashes": {"sha256": hashlib.sha256(f.read_bytes()).hexdigest()}} for f in files]}).encode()
                    return self._send(body, "application/vnd.pypi.simple.v1+json")
                if len(parts) == 2 and parts[0] == "files" and (index.folder / parts[1]).is_file():
                    return self._send((index.folder / parts[1]).read_bytes(), "application/octet-stream")
                self.send_error(404)

            def do_HEAD(self):
                self.send_error(405)   # uv then reads the wheel's metadata with a plain GET

            def _send(self, body: bytes, content_type: str) -> None:
                self.send_response(200)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = "http://127.0.0.1:{}/simple".format(self._server.server_address[1])
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()

    def files_of(self, project: str) -> list[Path]:
        return [f for f in sorted(self.folder.iterdir()) if _normal(f.name.split("-")[0]) == _normal(project)]

    def wheel(self, name: str, version: str, tag: str = "py3-none-any", requires: tuple[str, ...] = (),
              payload_bytes: int = 0) -> Path:
        """A wheel of one module (``VERSION``), with ``payload_bytes`` of data beside it."""
        dist = name.replace("-", "_")
        info = "{}-{}.dist-info".format(dist, version)
        metadata = "Metadata-Version: 2.1\nName: {}\nVersion: {}\n{}".format(
            name, version, "".join("Requires-Dist: {}\n".format(r) for r in requires))
        files = {dist + ".py": "VERSION = {!r}\n".format(version), info + "/METADATA": metadata,
                 info + "/WHEEL": "Wheel-Version: 1.0\nGenerator: tests\nRoot-Is-Purelib: true\nTag: {}\n".format(tag)}
        if payload_bytes:
            files[dist + "_data.bin"] = "x" * payload_bytes
        files[info + "/RECORD"] = "".join(path + ",,\n" for path in files) + info + "/RECORD,,\n"
        path = self.folder / "{}-{}-{}.whl".format(dist, version, tag)
        with zipfile.ZipFile(path, "w") as wheel:
            for member, text in files.items():
                wheel.writestr(member, text)
        return path

    def sdist(self, name: str, version: str, buildable: bool = True) -> Path:
        """A source distribution; one not ``buildable`` fails in its backend, as one that needs a
        compiler this machine lacks does."""
        dist = name.replace("-", "_")
        base = "{}-{}".format(dist, version)
        members = {
            base + "/pyproject.toml": ('[build-system]\nrequires = []\nbuild-backend = "backend"\nbackend-path = ["."]'
                                       '\n[project]\nname = "{}"\nversion = "{}"\n'.format(name, version)),
            base + "/backend.py": BACKEND.format(name=name, version=version, dist=dist, buildable=buildable),
            base + "/PKG-INFO": "Metadata-Version: 2.1\nName: {}\nVersion: {}\n".format(name, version),
        }
        path = self.folder / (base + ".tar.gz")
        with tarfile.open(path, "w:gz") as archive:
            for member, text in members.items():
                data = text.encode()
                info = tarfile.TarInfo(member)
                info.size = len(data)
                archive.addfile(info, io.BytesIO(data))
        return path

    def stop(self) -> None:
        """Close the port: from now on the index is unreachable."""
        if self._thread.is_alive():
            self._server.shutdown()
            self._server.server_close()
            self._thread.join()
