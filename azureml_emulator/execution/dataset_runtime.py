"""Whether a job's Environment can read its dataset inputs, as a job on Azure must.

On Azure the SDK's own dataset context manager (``azureml/data/context_managers.py``) mounts or
downloads each dataset input inside the job, before the script starts, in the job's Python: a
mount calls ``dataprep_fuse()`` and a download loads the dataset's definition with
``dataprep()`` (``azureml/data/_dataprep_helper.py``), which raise ``ImportError`` with the
SDK's text naming the package to install when the Environment lacks azureml-dataprep (for a
mount, also fusepy): what ``azureml-dataset-runtime[fuse]`` installs (azureml-defaults
requires it). The emulator puts the data in place itself, outside the job's Python, so it
checks the build's installed distributions instead and fails the job early with that text.
A direct input (``as_named_input`` alone) is read by the script itself: no check.
"""
from __future__ import annotations

import re
from importlib import metadata
from pathlib import Path

from azureml_emulator.environments import builder

NEEDS = {"mount": ({"azureml-dataprep", "fusepy"}, "[fuse]"), "download": ({"azureml-dataprep"}, "")}


def _installed(python: str) -> set[str] | None:
    """The normalised names of the distributions in the build's site-packages (None: not found)."""
    sites = list((Path(python).parent.parent / "lib").glob("python*/site-packages"))
    if not sites:
        return None
    return {re.sub(r"[-_.]+", "-", (dist.metadata["Name"] or "")).lower()
            for dist in metadata.distributions(path=[str(site) for site in sites])}


def missing(build: builder.Build, data: dict) -> str | None:
    """The SDK's error for the first dataset input (mount or download) the build cannot read,
    or None. The kernel's own Python (a build that is not isolated) is not checked."""
    if not build.isolated:
        return None
    installed: set[str] | None = None
    for _name, input_data in sorted((data or {}).items()):
        mechanism = str((input_data or {}).get("mechanism") or "mount").lower()
        if mechanism not in NEEDS:
            continue
        installed = _installed(build.python) if installed is None else installed
        if installed is None:
            return None
        needed, extra = NEEDS[mechanism]
        if not needed <= installed:
            return ('Missing required package "azureml-dataset-runtime{0}", which can be installed by running: '
                    '"{1}" -m pip install azureml-dataset-runtime{0} --upgrade'.format(extra, build.python))
    return None
