"""Where a dataset reads from, and the refusal of sources that need the network.

The SDK's dataset library (azureml-dataprep) reads data in native code, outside
`requests`, so the transport cannot stop it: a dataset naming a URL is refused here,
before dataprep sees it, when it is created, read in the kernel or given to a job.
"""
from __future__ import annotations

import re
from typing import Any, Callable

REMOTE = re.compile(r"\b(https?|wasbs?|abfss?|adl|azureml)://[^\s\"']+")


def remote_source(text: str) -> str | None:
    """The first source in ``text`` (a definition, or a path) that needs the network."""
    match = REMOTE.search(text)
    return match.group(0) if match else None


def refuse_remote(text: str) -> None:
    """Raise UserErrorException when ``text`` (a definition, or a path) names a source on the network."""
    source = remote_source(text)
    if source is not None:
        from azureml.exceptions import UserErrorException   # the SDK's; imported only to raise it
        raise UserErrorException(
            "azureml_emulator is active, so this dataset was not read: it reads {}, which needs the network. "
            "Offline, datasets read local files and the MNIST open dataset.".format(source))


def _paths(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, (list, tuple)):
        return [text for item in value for text in _paths(item)]
    return []


def make_factory_guard(original: Callable[..., Any]) -> Callable[..., Any]:
    """A dataset factory (``Dataset.File.from_files``, ``Dataset.Tabular.from_*``) that refuses
    paths on the network before dataprep reads them (type inference reads at once)."""
    def factory(path: Any, *args: Any, **kwargs: Any) -> Any:
        from azureml_emulator.data_access.datastore_paths import resolve
        path = resolve(path)   # azureml://datastores/... is this home's copy, not the network
        for text in _paths(path):
            refuse_remote(text)
        return original(path, *args, **kwargs)
    factory.__doc__ = original.__doc__
    return staticmethod(factory)


def definition_of(dataset: Any) -> str:
    """A dataset's MLTable definition ("" when it has none the emulator can read)."""
    try:
        return dataset._dataflow._to_yaml_string()
    except Exception:
        return ""
