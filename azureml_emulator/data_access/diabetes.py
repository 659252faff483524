"""The Diabetes sample open dataset, from the copy scikit-learn ships.

Azure Open Datasets keeps it as Parquet on its public account (``mlsamples/diabetes/*.parquet``
on ``azureopendatastorage``): 442 rows and the columns AGE, SEX, BMI, BP, S1 to S6 and Y, of
which AGE, SEX, S1, S6 and Y are integers (bigint) and the others doubles, as its catalog page
gives them. scikit-learn's ``load_diabetes(scaled=False)`` is the same raw data (Efron, Hastie,
Johnstone and Tibshirani, "Least Angle Regression", 2004), with SEX as 1 and 2.

The table is written once as a Parquet file under the emulator home; `tabular_dataset` and
`file_dataset` are the SDK's own datasets over that file, so take, skip, register, a job's
input... behave as they do for any local data. scikit-learn stays optional: without it,
Diabetes is `NotAvailableOffline` (unless this home already holds the file).
"""
from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from azureml_emulator.azure_storage.backend import store_file
from azureml_emulator.data_access.offline import DIABETES_CLASS, NotAvailableOffline

# Azure's columns, in its order, with the types its Parquet file gives them in pandas.
COLUMNS = {"AGE": "int64", "SEX": "int64", "BMI": "float64", "BP": "float64", "S1": "int64", "S2": "float64",
           "S3": "float64", "S4": "float64", "S5": "float64", "S6": "int64", "Y": "int64"}
ROWS = 442
RELATIVE_PATH = ("opendatasets", "sample-diabetes", "diabetes.parquet")   # under the home


class DiabetesDataError(Exception):
    """scikit-learn's copy is not the 442-row raw Diabetes table this dataset must be."""


def frame() -> Any:
    """The Diabetes table with Azure's column names and types, from scikit-learn's raw copy."""
    import numpy as np
    import pandas as pd
    try:
        from sklearn.datasets import load_diabetes
    except ImportError:
        raise NotAvailableOffline(DIABETES_CLASS, "its offline copy comes from scikit-learn, which is not installed: "
                                  "pip install scikit-learn") from None
    try:
        raw = load_diabetes(scaled=False)
    except TypeError:   # scikit-learn before 1.1 has only the scaled copy
        raise NotAvailableOffline(DIABETES_CLASS, "its offline copy is scikit-learn's raw data, "
                                  "load_diabetes(scaled=False), which needs scikit-learn 1.1 or newer") from None
    values = np.column_stack([raw.data, raw.target])
    if values.shape != (ROWS, len(COLUMNS)):
        raise DiabetesDataError("scikit-learn's Diabetes data has shape {}, expected {}".format(
            values.shape, (ROWS, len(COLUMNS))))
    table = pd.DataFrame(values, columns=list(COLUMNS))
    for name, dtype in COLUMNS.items():
        if dtype == "int64" and not (table[name] == table[name].round()).all():
            raise DiabetesDataError("scikit-learn's Diabetes column {} has fractions: expected the raw, "
                                    "unscaled data (whole numbers)".format(name))
    return table.astype(COLUMNS)


def parquet_file(home: Path) -> Path:
    """The home's Parquet copy of the table, written (whole, or not at all) when missing."""
    path = Path(home).joinpath(*RELATIVE_PATH)
    if not path.is_file():
        buffer = io.BytesIO()
        frame().to_parquet(buffer, index=False)
        store_file(path, buffer.getvalue())
    return path


def _local_file() -> str:
    from azureml_emulator.context import current
    return str(parquet_file(current().home))


def tabular_dataset(properties: dict, cols: list[str] | None = None) -> Any:
    """Diabetes.get_tabular_dataset: the SDK's TabularDataset over the home's copy, with the
    open dataset's properties; only ``cols`` when given."""
    from azureml.data._dataset import _DatasetTelemetryInfo
    from azureml.data.dataset_factory import TabularDatasetFactory
    from azureml.data.tabular_dataset import TabularDataset
    local = TabularDatasetFactory.from_parquet_files(_local_file(), validate=False)
    dataset = TabularDataset._create(local._dataflow, properties=properties)
    if cols:
        dataset = dataset.keep_columns(cols)
    dataset._telemetry_info = _DatasetTelemetryInfo(entry_point="PythonSDK:OpenDataset")
    return dataset


def file_dataset(properties: dict) -> Any:
    """Diabetes.get_file_dataset: the SDK's FileDataset of the home's copy."""
    from azureml.data._dataset import _DatasetTelemetryInfo
    from azureml.data.dataset_factory import FileDatasetFactory
    from azureml.data.file_dataset import FileDataset
    local = FileDatasetFactory.from_files(_local_file(), validate=False)
    dataset = FileDataset._create(local._dataflow, properties=properties)
    dataset._telemetry_info = _DatasetTelemetryInfo(entry_point="PythonSDK:OpenDataset")
    return dataset
