"""Say clearly that the emulator serves with the current Python, not the
environment's image, and which pinned packages differ from what is installed."""
from __future__ import annotations

import platform
import re
from importlib import metadata

PIN = re.compile(r"^\s*([A-Za-z0-9_.\-]+)\s*==\s*([^\s;,]+)")


def pinned_packages(environment: dict | None) -> list[tuple[str, str]]:
    """(name, version) for every `name==version` pin, conda or pip, in the definition."""
    conda = ((environment or {}).get("python") or {}).get("condaDependencies") or {}
    pins = []
    for item in conda.get("dependencies") or []:
        if isinstance(item, dict):
            pins += [PIN.match(p) for p in item.get("pip", [])]
        elif isinstance(item, str):
            pins.append(PIN.match(item.replace("=", "==", 1) if "==" not in item else item))
    return [(m.group(1), m.group(2)) for m in pins if m]


def installed_version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def warn_about_pins(environment: dict | None) -> None:
    if not environment:
        return
    print("azureml_emulator: serving environment '{}' version {} with this machine's Python {}, "
          "not a container image built from it.".format(environment.get("name"), environment.get("version"),
                                                        platform.python_version()))
    for name, wanted in pinned_packages(environment):
        is_python = name.lower() == "python"
        have = platform.python_version() if is_python else installed_version(name)
        if have is None:
            print("azureml_emulator: WARNING environment pins {}=={} but it is not installed here".format(
                name, wanted))
            continue
        # "python=3.11" pins a minor release; a package pin names one exact version.
        differs = not (have + ".").startswith(wanted + ".") if is_python else have != wanted
        if differs:
            print("azureml_emulator: WARNING environment pins {}=={} but {} is installed here".format(
                name, wanted, have))
