"""Which Azure Open Datasets work offline, and a clear refusal of every other.

Every class of azureml-opendatasets that reads Azure's public storage does so through its
``BlobAccessor`` (azureml/opendatasets/dataaccess/_blob_accessor.py), whichever way it is
called (class methods, an instance's ``to_pandas_dataframe``, an enricher): the accessor builds
the datasets (``get_file_dataset``, ``get_tabular_dataset``), the dataframes
(``get_pandas_dataframe``, ``get_spark_dataframe``) and, under all of them, the dataprep
definition on Azure's storage (``get_file_dataflow``). Those methods are the seams:

* MNIST's files keep the SDK's own FileDataset, whose reads `opendatasets` serves from the
  vendored copy;
* Diabetes gets the SDK's datasets over a local copy of its table (`diabetes`);
* anything else (another class, MNIST as a table, any Spark dataframe) raises
  `NotAvailableOffline` naming the class, at once, before dataprep could try the network.

PublicHolidaysOffline reads the copy its own package ships, never the network: it is left alone.
"""
from __future__ import annotations

import inspect
from typing import Any, Callable

from azureml_emulator.data_access.offline import DIABETES_CLASS, PACKAGE, SERVED, NotAvailableOffline

__all__ = ["NotAvailableOffline", "DIABETES_CLASS", "SERVED", "class_name", "refusal"]

MNIST_ID, DIABETES_ID = "mnist", "sample-diabetes"   # their ids in the package's registry (data/list_EN-US.json)
# The arguments every accessor takes that are not filters on the data.
NOT_FILTERS = ("start_date", "end_date", "limit")


def class_name(registry_id: str) -> str:
    """The public class of azureml-opendatasets that reads the dataset ``registry_id``."""
    import azureml.opendatasets as package
    for name in package.__all__:
        descriptor = inspect.getattr_static(getattr(package, name), "_blob_accessor", None)
        info = getattr(descriptor, "_registry_info", None)
        if (info if isinstance(info, str) else getattr(info, "id", None)) == registry_id:
            return "{}.{}".format(PACKAGE, name)
    return "the Azure Open Dataset {!r}".format(registry_id)


def _is_mnist_files(accessor: Any) -> bool:
    from azureml.opendatasets.dataaccess._mnist_blob_accessor import MNISTFileBlobAccessor
    return isinstance(accessor, MNISTFileBlobAccessor)


def refusal(accessor: Any) -> NotAvailableOffline:
    """Why the data ``accessor`` would read from Azure's storage is not read."""
    if accessor.id == MNIST_ID:
        return NotAvailableOffline(PACKAGE + ".MNIST.get_tabular_dataset",
                                   "the emulator serves MNIST's files, MNIST.get_file_dataset(), and Diabetes")
    if accessor.id == DIABETES_ID:
        return NotAvailableOffline(DIABETES_CLASS + " from Azure's storage",
                                   "the emulator serves it from a local copy: Diabetes.get_tabular_dataset() and "
                                   "get_file_dataset()")
    return NotAvailableOffline(class_name(accessor.id))


def _properties(prefix: str, accessor: Any, kwargs: dict) -> dict:
    """The properties the SDK gives an open dataset's datasets: its arguments, then its id."""
    return {**{"{}:{}".format(prefix, key): value for key, value in kwargs.items()}, "opendatasets": accessor.id}


def _diabetes_arguments(kwargs: dict) -> None:
    filters = sorted(key for key, value in kwargs.items() if key not in NOT_FILTERS and value)
    if filters:
        raise NotAvailableOffline("filters ({}) on {}".format(", ".join(filters), DIABETES_CLASS),
                                  "the emulator serves the whole table: filter the dataset or dataframe instead")


def make_get_file_dataflow(original: Callable[..., Any]) -> Callable[..., Any]:
    def get_file_dataflow(accessor: Any, **kwargs: Any) -> Any:
        """BlobAccessor.get_file_dataflow, under every read of Azure's storage: only MNIST's files,
        which `opendatasets` serves, get the SDK's definition; anything else is refused."""
        if not _is_mnist_files(accessor):
            raise refusal(accessor)
        return original(accessor, **kwargs)
    return get_file_dataflow


def make_get_file_dataset(original: Callable[..., Any]) -> Callable[..., Any]:
    def get_file_dataset(accessor: Any, **kwargs: Any) -> Any:
        """BlobAccessor.get_file_dataset: Diabetes's file is the local copy."""
        if accessor.id != DIABETES_ID:
            return original(accessor, **kwargs)
        from azureml_emulator.data_access import diabetes
        _diabetes_arguments(kwargs)
        return diabetes.file_dataset(_properties("opendatasets", accessor, kwargs))
    return get_file_dataset


def make_get_tabular_dataset(original: Callable[..., Any]) -> Callable[..., Any]:
    def get_tabular_dataset(accessor: Any, cols: list[str] | None = None, **kwargs: Any) -> Any:
        """BlobAccessor.get_tabular_dataset: Diabetes's table is the local copy."""
        if accessor.id != DIABETES_ID:
            return original(accessor, cols, **kwargs)
        from azureml_emulator.data_access import diabetes
        _diabetes_arguments(kwargs)
        return diabetes.tabular_dataset(_properties("OpenDatasets", accessor, kwargs), cols)
    return get_tabular_dataset


def make_get_spark_dataframe(original: Callable[..., Any]) -> Callable[..., Any]:
    def get_spark_dataframe(accessor: Any, cols: list[str] | None = None, **kwargs: Any) -> Any:
        """BlobAccessor.get_spark_dataframe: Spark reads Azure's storage itself; always refused."""
        name = DIABETES_CLASS if accessor.id == DIABETES_ID else class_name(accessor.id)
        raise NotAvailableOffline(name + " as a Spark dataframe",
                                  "the emulator serves MNIST's files and Diabetes as datasets and pandas dataframes")
    return get_spark_dataframe


def log_event(event_name: str, **kwargs: Any) -> None:
    """_LoggerFactory.log_event: the open datasets' telemetry event, which goes to Application
    Insights at once (offline, only its refused upload would show, before the dataset's answer)."""


def seams() -> list[tuple[Any, str, Any]]:
    """(owner, attribute, replacement) for the open datasets' accessor and telemetry."""
    from azureml.opendatasets.accessories._loggerfactory import _LoggerFactory
    from azureml.opendatasets.dataaccess._blob_accessor import BlobAccessor
    return [(BlobAccessor, name, make(getattr(BlobAccessor, name))) for name, make in (
        ("get_file_dataflow", make_get_file_dataflow),
        ("get_file_dataset", make_get_file_dataset),
        ("get_tabular_dataset", make_get_tabular_dataset),
        ("get_spark_dataframe", make_get_spark_dataframe),
    )] + [(_LoggerFactory, "log_event", staticmethod(log_event))]
