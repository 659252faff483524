"""The user's package index settings, so a build works behind a private mirror as pip does.

uv reads its own variables (``UV_INDEX_URL``, ``UV_DEFAULT_INDEX``, ``UV_EXTRA_INDEX_URL``,
``UV_FIND_LINKS``...) by itself. pip's are translated here: ``PIP_INDEX_URL``,
``PIP_EXTRA_INDEX_URL`` and ``PIP_FIND_LINKS``, then the ``[global]`` and ``[install]``
sections of pip's configuration files. Local locations that do not exist are skipped,
as pip skips them.
"""
from __future__ import annotations

import configparser
import http.client
import json
import os
import re
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

DEFAULT_INDEX = "https://pypi.org/simple"
UV_INDEX_VARIABLES = ("UV_INDEX_URL", "UV_DEFAULT_INDEX", "UV_INDEX")
SETTINGS = (("index-url", "--index-url"), ("extra-index-url", "--extra-index-url"), ("find-links", "--find-links"))


def _pip_config_files() -> list[Path]:
    if os.environ.get("PIP_CONFIG_FILE"):
        return [Path(os.environ["PIP_CONFIG_FILE"])]
    xdg = os.environ.get("XDG_CONFIG_DIRS", "/etc/xdg").split(":")
    home_config = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return ([Path("/etc/pip.conf")] + [Path(d) / "pip" / "pip.conf" for d in xdg]
            + [Path.home() / ".pip" / "pip.conf", home_config / "pip" / "pip.conf"])


def _pip_settings() -> dict[str, list[str]]:
    """pip's index settings: later config files override earlier ones, variables override files."""
    settings: dict[str, list[str]] = {}
    for path in _pip_config_files():
        parser = configparser.ConfigParser()
        try:
            parser.read(path)
        except (configparser.Error, OSError):
            continue
        for section in ("global", "install"):
            for key, _flag in SETTINGS:
                if parser.has_option(section, key):
                    settings[key] = parser.get(section, key).split()
    for key, _flag in SETTINGS:
        variable = "PIP_" + key.upper().replace("-", "_")
        if os.environ.get(variable):
            settings[key] = os.environ[variable].split()
    return settings


def _exists_if_local(location: str) -> bool:
    parts = urlsplit(location)
    if parts.scheme in ("http", "https"):
        return True
    return Path(parts.path if parts.scheme == "file" else location).exists()


def installer_options() -> list[str]:
    """uv options that carry the user's pip index settings."""
    settings = _pip_settings()
    options = []
    for key, flag in SETTINGS:
        if key == "index-url" and any(os.environ.get(v) for v in UV_INDEX_VARIABLES):
            continue   # uv's own setting wins
        for location in settings.get(key, []):
            if _exists_if_local(location):
                options += [flag, location]
    return options


def combined_options(definition_options: list[str]) -> list[str]:
    """The user's index settings, then the definition's pip options; the definition's
    --index-url, when it has one, replaces the user's."""
    user = installer_options()
    if "--index-url" in definition_options and "--index-url" in user:
        at = user.index("--index-url")
        user = user[:at] + user[at + 2:]
    return user + definition_options


def primary_index(options: list[str]) -> str:
    """The index a build resolves from first."""
    for flag_index, flag in enumerate(options[:-1]):
        if flag == "--index-url":
            return options[flag_index + 1]
    for variable in UV_INDEX_VARIABLES:
        if os.environ.get(variable):
            return os.environ[variable].split()[0]
    return DEFAULT_INDEX


def publishes_wheels(index: str, package: str, version: str | None = None, timeout: float = 10) -> bool:
    """Whether the index has any wheel of ``package`` (of that ``version``, when given), for any
    Python or platform; False: it is published as source only. When the index cannot be asked
    (offline), say no: the build may then use the source, or the wheel built from it, that uv's
    cache kept from an earlier build."""
    name = re.sub(r"[-_.]+", "-", package).lower()
    request = urllib.request.Request(index.rstrip("/") + "/" + name + "/",
                                     headers={"Accept": "application/vnd.pypi.simple.v1+json"})
    try:
        # An opener of its own: the emulator's urlopen seam refuses the network to notebook code,
        # but asking the package index is the build's business, as uv's own requests are.
        with urllib.request.build_opener().open(request, timeout=timeout) as answer:
            files = json.load(answer).get("files", [])
    except (OSError, ValueError, http.client.HTTPException):
        return False
    wheels = [str(f.get("filename", "")) for f in files if str(f.get("filename", "")).endswith(".whl")]
    # A wheel's file name is <name>-<version>-...: its version is the second part.
    return any(version is None or wheel.split("-")[1] == version for wheel in wheels)
