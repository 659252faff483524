"""Where the emulated Azure services live: hosts that cannot exist outside this process.

``.invalid`` is a reserved top-level domain, so no request to it can ever leave the
machine, even if interception were somehow bypassed. Three kinds of host are answered:

* ``azureml-emulator.invalid``: the regional Azure ML services (run history, models...);
* ``management.azureml-emulator.invalid``: Azure Resource Manager (compute create/delete);
* ``<account>.blob.azureml-emulator.invalid``: Blob Storage, where the SDK uploads
  snapshot files and artifacts with the SAS URLs the services hand out;
* ``<account>.file.azureml-emulator.invalid``: Azure Files, the file shares of file datastores.
"""
from typing import Optional, Tuple

EMULATOR_HOST = "azureml-emulator.invalid"
EMULATOR_BASE_URL = "https://" + EMULATOR_HOST
ARM_HOST = "management." + EMULATOR_HOST
ARM_BASE_URL = "https://" + ARM_HOST + "/"
BLOB_SUFFIX = ".blob." + EMULATOR_HOST
FILE_SUFFIX = ".file." + EMULATOR_HOST

SERVICE, ARM, BLOB, FILE = "service", "arm", "blob", "file"


def blob_base_url(account: str) -> str:
    return "https://{}{}".format(account, BLOB_SUFFIX)


def file_base_url(account: str) -> str:
    return "https://{}{}".format(account, FILE_SUFFIX)


def host_kind(host: Optional[str]) -> Optional[Tuple[str, str]]:
    """(kind, storage account) for one of the emulator's hosts, None for any other host."""
    if not host:
        return None
    host = host.lower()
    if host == EMULATOR_HOST:
        return SERVICE, ""
    if host == ARM_HOST:
        return ARM, ""
    for kind, suffix in ((BLOB, BLOB_SUFFIX), (FILE, FILE_SUFFIX)):
        account = host[:-len(suffix)] if host.endswith(suffix) else ""
        if account and "." not in account:
            return kind, account
    return None
