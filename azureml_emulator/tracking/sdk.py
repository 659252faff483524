"""The seam of azureml-mlflow's: the storage suffix of its own table of clouds.

azureml-mlflow downloads an artifact only from a URL of ``https://<account>.blob.<the cloud's
storage suffix>/...?<SAS>``, and silently skips any other. The emulator's Blob Storage is
``<account>.blob.azureml-emulator.invalid``, so while it is active that is the public cloud's
storage suffix in azureml-mlflow's table (a job's runtime sets the same in the job).
"""
from __future__ import annotations

from types import ModuleType
from typing import Any

from azureml_emulator.addresses import EMULATOR_HOST

CLOUD_MODULE = "azureml.mlflow._common._cloud.cloud"


def storage_suffix_seams(cloud_module: ModuleType) -> list[tuple[Any, str, Any]]:
    return [(cloud_module.AZURE_PUBLIC_CLOUD.suffixes, "storage_endpoint", EMULATOR_HOST)]
