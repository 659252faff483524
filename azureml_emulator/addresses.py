"""Where the emulated Azure services live: hosts that cannot exist outside this process.

``.invalid`` is a reserved top-level domain, so no request to it can ever leave the
machine, even if interception were somehow bypassed. Three kinds of host are answered:

* ``azureml-emulator.invalid``: the regional Azure ML services (run history, models...);
* ``management.azureml-emulator.invalid``: Azure Resource Manager (compute create/delete);
* ``<account>.blob.azureml-emulator.invalid``: Blob Storage, where the SDK uploads
  snapshot files and artifacts with the SAS URLs the services hand out.
"""
from __future__ import annotations

EMULATOR_HOST = "azureml-emulator.invalid"
EMULATOR_BASE_URL = "https://" + EMULATOR_HOST
ARM_HOST = "management." + EMULATOR_HOST
ARM_BASE_URL = "https://" + ARM_HOST + "/"
BLOB_SUFFIX = ".blob." + EMULATOR_HOST

SERVICE, ARM, BLOB = "service", "arm", "blob"


def blob_base_url(account: str) -> str:
    return "https://{}{}".format(account, BLOB_SUFFIX)


def host_kind(host: str | None) -> tuple[str, str] | None:
    """(kind, storage account) for one of the emulator's hosts, None for any other host."""
    if not host:
        return None
    host = host.lower()
    if host == EMULATOR_HOST:
        return SERVICE, ""
    if host == ARM_HOST:
        return ARM, ""
    account = host[:-len(BLOB_SUFFIX)] if host.endswith(BLOB_SUFFIX) else ""
    if account and "." not in account:
        return BLOB, account
    return None
