"""Diabetes offline: the SDK's own datasets over a local copy of scikit-learn's raw data, with
Azure's column names, order and types (its catalog page: AGE, SEX, S1, S6 and Y bigint, the
rest double; 442 rows)."""
import sys

import numpy as np
import pandas as pd
import pytest
from azureml.core import Dataset
from azureml.data import FileDataset, TabularDataset
from azureml.opendatasets import Diabetes
from sklearn.datasets import load_diabetes

from azureml_emulator.data_access.catalog import NotAvailableOffline
from helpers import job_log, kernel_environment

COLUMNS = ["AGE", "SEX", "BMI", "BP", "S1", "S2", "S3", "S4", "S5", "S6", "Y"]
DTYPES = {"AGE": "int64", "SEX": "int64", "BMI": "float64", "BP": "float64", "S1": "int64", "S2": "float64",
          "S3": "float64", "S4": "float64", "S5": "float64", "S6": "int64", "Y": "int64"}
# The first rows as Azure's catalog page previews them, and scikit-learn's raw file holds them.
FIRST_ROWS = [[59, 2, 32.1, 101.0, 157, 93.2, 38.0, 4.0, 4.8598, 87, 151],
              [48, 1, 21.6, 87.0, 183, 103.2, 70.0, 3.0, 3.8918, 69, 75],
              [72, 2, 30.5, 93.0, 156, 93.6, 41.0, 4.0, 4.6728, 85, 141]]
# Distinct values per column, as Azure's catalog page gives them.
DISTINCT = {"AGE": 58, "SEX": 2, "BMI": 163, "BP": 100, "S1": 141, "S2": 302, "S3": 63, "S4": 66, "S5": 184,
            "S6": 56, "Y": 214}


def check_table(frame):
    assert frame.shape == (442, 11)
    assert frame.columns.tolist() == COLUMNS
    assert {name: str(dtype) for name, dtype in frame.dtypes.items()} == DTYPES
    assert frame.head(3).values.tolist() == FIRST_ROWS
    assert frame.nunique().to_dict() == DISTINCT
    assert sorted(frame["SEX"].unique().tolist()) == [1, 2]
    raw = load_diabetes(scaled=False)
    assert np.array_equal(frame[COLUMNS[:-1]].to_numpy(), raw.data)
    assert np.array_equal(frame["Y"].to_numpy(), raw.target)


def test_the_tabular_dataset_is_azures_table(azureml_emulator):
    dataset = Diabetes.get_tabular_dataset()
    assert isinstance(dataset, TabularDataset)
    check_table(dataset.to_pandas_dataframe())


def test_it_reads_local_data_only(azureml_emulator):
    definition = Diabetes.get_tabular_dataset()._dataflow._to_yaml_string()
    assert 'pattern: "file://{}/opendatasets/sample-diabetes/diabetes.parquet"'.format(azureml_emulator.home) \
        in definition
    assert "azureopendatastorage" not in definition and "https" not in definition


def test_the_sdks_dataset_methods_work_on_it(azureml_emulator):
    dataset = Diabetes.get_tabular_dataset()
    assert dataset.take(2).to_pandas_dataframe().values.tolist() == FIRST_ROWS[:2]
    assert dataset.skip(440).to_pandas_dataframe()["Y"].tolist() == [220, 57]
    assert dataset.keep_columns(["AGE", "Y"]).to_pandas_dataframe().columns.tolist() == ["AGE", "Y"]
    assert "SEX" not in dataset.drop_columns(["SEX"]).to_pandas_dataframe().columns
    train, test = dataset.random_split(0.8, seed=1)
    assert len(train.to_pandas_dataframe()) + len(test.to_pandas_dataframe()) == 442
    assert dataset.filter(dataset["AGE"] > 70).to_pandas_dataframe()["AGE"].min() > 70


def test_it_carries_the_open_datasets_property(azureml_emulator):
    assert Diabetes.get_tabular_dataset()._properties == {"opendatasets": "sample-diabetes"}
    assert Diabetes.get_file_dataset()._properties == {"opendatasets": "sample-diabetes"}


def test_it_registers_and_reads_back(ws):
    registered = Diabetes.get_tabular_dataset().register(ws, "diabetes", description="Sample: Diabetes")
    assert registered.version == 1
    check_table(Dataset.get_by_name(ws, "diabetes").to_pandas_dataframe())


def test_the_file_dataset_downloads_the_parquet_file(azureml_emulator, tmp_path):
    dataset = Diabetes.get_file_dataset()
    assert isinstance(dataset, FileDataset)
    assert dataset.to_path() == ["/diabetes.parquet"]
    paths = dataset.download(str(tmp_path / "out"))
    assert paths == [str(tmp_path / "out" / "diabetes.parquet")]
    check_table(pd.read_parquet(paths[0]))


def test_the_open_dataset_objects_pandas_route_reads_the_local_file(azureml_emulator, capsys):
    """What other open datasets' to_pandas_dataframe() does (download the files, read them with pandas),
    through the object Diabetes.get_tabular_dataset builds."""
    frame = Diabetes._get_open_dataset(enable_telemetry=False).to_pandas_dataframe()
    check_table(frame)
    assert "[Info] read from" in capsys.readouterr().out
    columns = Diabetes._get_open_dataset(cols=["BMI", "Y"], enable_telemetry=False).get_tabular_dataset()
    assert columns.to_pandas_dataframe().columns.tolist() == ["BMI", "Y"]


def test_the_home_keeps_one_parquet_copy_with_azures_types(azureml_emulator):
    import pyarrow.parquet as parquet
    Diabetes.get_tabular_dataset()
    path = azureml_emulator.home / "opendatasets" / "sample-diabetes" / "diabetes.parquet"
    schema = parquet.read_schema(path)
    assert [(field.name, str(field.type)) for field in schema] == [
        (name, "int64" if dtype == "int64" else "double") for name, dtype in DTYPES.items()]
    written = path.stat().st_mtime_ns
    Diabetes.get_file_dataset()
    assert path.stat().st_mtime_ns == written   # written once


def test_without_scikit_learn_diabetes_is_not_available_offline(azureml_emulator, monkeypatch):
    monkeypatch.setitem(sys.modules, "sklearn.datasets", None)   # as if scikit-learn were not installed
    with pytest.raises(NotAvailableOffline) as refused:
        Diabetes.get_tabular_dataset()
    assert refused.value.message == (
        "not available offline in azureml_emulator: azureml.opendatasets.Diabetes (its offline copy comes from "
        "scikit-learn, which is not installed: pip install scikit-learn)")
    assert not (azureml_emulator.home / "opendatasets").exists()


def test_spark_is_refused(azureml_emulator):
    with pytest.raises(NotAvailableOffline, match=r"azureml\.opendatasets\.Diabetes as a Spark dataframe"):
        Diabetes._get_open_dataset(enable_telemetry=False).to_spark_dataframe()


def test_a_job_reads_it_as_a_direct_input(ws, tmp_path):
    from azureml.core import Experiment, ScriptRunConfig
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "train.py").write_text(
        "from azureml.core import Run\n"
        "frame = Run.get_context().input_datasets['diabetes'].to_pandas_dataframe()\n"
        "print('SHAPE', frame.shape)\n"
        "print('DTYPES', ','.join(str(t) for t in frame.dtypes))\n"
        "print('FIRST', frame.iloc[0].tolist())\n")
    kernel = kernel_environment()   # the kernel has azureml-dataprep and pandas
    run = Experiment(ws, "diabetes").submit(ScriptRunConfig(
        source_directory=str(tmp_path / "src"), script="train.py",
        arguments=[Diabetes.get_tabular_dataset().as_named_input("diabetes")],
        compute_target="local", environment=kernel))
    run.wait_for_completion(raise_on_error=True)
    log = job_log(run)
    assert "SHAPE (442, 11)" in log
    assert "DTYPES " + ",".join(DTYPES.values()) in log
    assert "FIRST [59.0, 2.0, 32.1, 101.0, 157.0, 93.2, 38.0, 4.0, 4.8598, 87.0, 151.0]" in log


def test_filters_are_refused_rather_than_ignored(azureml_emulator):
    with pytest.raises(NotAvailableOffline, match=r"filters \(AGE, SEX\) on azureml\.opendatasets\.Diabetes"):
        Diabetes._get_open_dataset(enable_telemetry=False, AGE=59, SEX=2).get_tabular_dataset()


def test_its_definition_on_azures_storage_is_never_built(azureml_emulator):
    with pytest.raises(NotAvailableOffline, match=r"azureml\.opendatasets\.Diabetes from Azure's storage \(the "
                                                  r"emulator serves it from a local copy"):
        Diabetes._blob_accessor.get_tabular_dataflow()
