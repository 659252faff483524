"""Pipeline steps that run on another Azure service (Automated ML, Databricks, Data Lake Analytics,
Data Factory, Batch, Data Explorer, Synapse, HDInsight): the emulator cannot run them, and says so
at the earliest point the service sees one, the creation of its module (while the SDK builds the
pipeline for ``validate()``, ``submit`` or ``publish``), naming the step type. Their computes
(Databricks, ADLA, Batch...) cannot be attached to the emulated workspace either, so most such
pipelines stop earlier still, where Azure would stop without the compute.
"""
from __future__ import annotations

from azureml_emulator.errors import NotEmulated

# A module's StepType (the SDK's step class name) -> the service that runs such a step on Azure.
OTHER_SERVICES = {
    "AutoMLStep": "Azure Machine Learning's automated ML",
    "DatabricksStep": "Azure Databricks",
    "AdlaStep": "Azure Data Lake Analytics",
    "DataTransferStep": "Azure Data Factory",
    "AzureBatchStep": "Azure Batch",
    "KustoStep": "Azure Data Explorer (Kusto)",
    "SynapseSparkStep": "Azure Synapse Analytics",
    "HDInsightStep": "Azure HDInsight",
}


def refuse_other_services(module_info: dict) -> None:
    """NotEmulated when the module is a step that another Azure service runs."""
    step_type = str(module_info.get("StepType") or "")
    if step_type in OTHER_SERVICES:
        raise NotEmulated("{} (step {!r}: such steps run on {})".format(
            step_type, module_info.get("Name"), OTHER_SERVICES[step_type]))
