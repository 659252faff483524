"""The refusal of Azure Open Datasets the emulator cannot serve offline, shared by the catalog
of open datasets (`catalog`) and the datasets it serves (`diabetes`)."""
from __future__ import annotations

from azureml.exceptions import UserErrorException

PACKAGE = "azureml.opendatasets"
DIABETES_CLASS = PACKAGE + ".Diabetes"
SERVED = "the emulator serves MNIST and Diabetes"


class NotAvailableOffline(UserErrorException):
    """An Azure Open Dataset, or a form of one, that the emulator cannot serve offline."""

    def __init__(self, what: str, why: str = SERVED) -> None:
        super().__init__("not available offline in azureml_emulator: {} ({})".format(what, why))
