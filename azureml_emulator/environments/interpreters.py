"""Finding a Python of the minor version an Environment pins, among those on this machine.

Azure's image has exactly the Python the definition names. Here a build uses an
interpreter of the same minor version when one is installed (on PATH, under pyenv, or
managed by uv), else this kernel's Python, and says so. Nothing is downloaded.
"""
from __future__ import annotations

import functools
import glob
import os
import shutil
import subprocess
import sys
from pathlib import Path


def _version_of(executable: str) -> str | None:
    try:
        done = subprocess.run([executable, "-c", "import sys; print('%d.%d.%d' % sys.version_info[:3])"],
                              capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def _candidates(minor: str) -> list[str]:
    found = []
    if "%d.%d" % sys.version_info[:2] == minor:   # this Python itself, outside any virtual environment
        found.append(getattr(sys, "_base_executable", sys.executable))
    for name in ("python" + minor, "python3"):
        path = shutil.which(name)
        if path:
            found.append(path)
    pyenv_root = os.environ.get("PYENV_ROOT") or os.path.expanduser("~/.pyenv")
    found += sorted(glob.glob(os.path.join(pyenv_root, "versions", minor + ".*", "bin", "python" + minor)),
                    reverse=True)
    found += sorted(glob.glob(os.path.expanduser("~/.local/share/uv/python/cpython-{}.*/bin/python{}"
                                                  .format(minor, minor))), reverse=True)
    found += ["/usr/bin/python" + minor, "/usr/local/bin/python" + minor]
    return found


@functools.lru_cache(maxsize=None)
def find(minor: str) -> tuple[str, str] | None:
    """(executable, full version) of an installed Python ``minor`` (e.g. "3.8"), or None."""
    seen = set()
    for candidate in _candidates(minor):
        if candidate in seen or not os.path.exists(candidate):
            continue
        seen.add(candidate)
        version = _version_of(candidate)
        if version and ".".join(version.split(".")[:2]) == minor:
            return str(Path(candidate)), version
    return None


def current() -> tuple[str, str]:
    """This Python, outside any virtual environment it runs in, and its version."""
    return getattr(sys, "_base_executable", sys.executable), "%d.%d.%d" % sys.version_info[:3]
