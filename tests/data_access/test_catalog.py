"""Open datasets the emulator does not serve fail at once with an error naming the class,
however they are called, before dataprep could try the network (which would end in a DNS or
ConnectionFailure error offline, and would fetch from Azure on a connected machine)."""
import inspect
from datetime import datetime

import pytest
import azureml.opendatasets as opendatasets
from azureml.opendatasets import MNIST, Diabetes, NycTlcGreen, OjSalesSimulated, PublicHolidaysOffline
from azureml.opendatasets.dataaccess._blob_accessor import BlobAccessor, BlobAccessorDescriptor

import azureml_emulator
from azureml_emulator.data_access.catalog import NotAvailableOffline

SERVED = (MNIST, Diabetes)


def unserved_classes():
    """Every public class that reads Azure's storage through an accessor, but MNIST and Diabetes."""
    for name in opendatasets.__all__:
        cls = getattr(opendatasets, name)
        if isinstance(inspect.getattr_static(cls, "_blob_accessor", None), BlobAccessorDescriptor) \
                and cls not in SERVED:
            yield cls


def message(cls):
    return ("not available offline in azureml_emulator: azureml.opendatasets.{} (the emulator serves MNIST and "
            "Diabetes)".format(cls.__name__))


@pytest.mark.parametrize("cls", list(unserved_classes()), ids=lambda cls: cls.__name__)
def test_every_other_class_is_refused_by_name(azureml_emulator, cls):
    method = cls.get_tabular_dataset if hasattr(cls, "get_tabular_dataset") else cls.get_file_dataset
    with pytest.raises(NotAvailableOffline) as refused:
        method()
    assert refused.value.message == message(cls)


def test_there_are_many_other_classes():
    names = {cls.__name__ for cls in unserved_classes()}
    assert len(names) >= 25 and {"NycTlcGreen", "OjSalesSimulated", "PublicHolidays", "UsPopulationZip"} <= names


@pytest.mark.parametrize("call", [
    lambda: NycTlcGreen.get_tabular_dataset(start_date=datetime(2016, 1, 1), end_date=datetime(2016, 1, 31)),
    lambda: NycTlcGreen(start_date=datetime(2016, 1, 1), end_date=datetime(2016, 1, 31)).to_pandas_dataframe(),
    lambda: NycTlcGreen().get_tabular_dataset(cols=["vendorID"]),
    lambda: NycTlcGreen.get_file_dataset(),
], ids=["class-tabular", "instance-pandas", "instance-tabular", "class-files"])
def test_every_way_of_reading_a_class_is_refused(azureml_emulator, call):
    with pytest.raises(NotAvailableOffline) as refused:
        call()
    assert refused.value.message == message(NycTlcGreen)


def test_a_file_only_class_is_refused_by_name(azureml_emulator):
    with pytest.raises(NotAvailableOffline, match=r"azureml\.opendatasets\.OjSalesSimulated \(the emulator"):
        OjSalesSimulated.get_file_dataset()


def test_the_error_is_a_user_error_of_the_sdk(azureml_emulator):
    from azureml.exceptions import UserErrorException
    with pytest.raises(UserErrorException):
        opendatasets.UsPopulationZip.get_tabular_dataset()


def test_spark_dataframes_are_refused(azureml_emulator):
    with pytest.raises(NotAvailableOffline, match=r"azureml\.opendatasets\.NycTlcGreen as a Spark dataframe"):
        NycTlcGreen(start_date=datetime(2016, 1, 1), end_date=datetime(2016, 1, 31)).to_spark_dataframe()


def test_mnist_as_a_table_is_refused_and_its_files_are_served(azureml_emulator, tmp_path):
    with pytest.raises(NotAvailableOffline) as refused:
        MNIST.get_tabular_dataset()
    assert refused.value.message == (
        "not available offline in azureml_emulator: azureml.opendatasets.MNIST.get_tabular_dataset (the emulator "
        "serves MNIST's files, MNIST.get_file_dataset(), and Diabetes)")
    assert len(MNIST.get_file_dataset(dataset_filter="test").download(str(tmp_path), overwrite=True)) == 2


def test_the_refusal_comes_first_with_no_telemetry_upload_before_it(azureml_emulator, caplog):
    """The open datasets' telemetry (on by default) would log its refused upload as an error first."""
    with pytest.raises(NotAvailableOffline):
        NycTlcGreen(start_date=datetime(2016, 1, 1), end_date=datetime(2016, 1, 31)).to_pandas_dataframe()
    with pytest.raises(NotAvailableOffline):
        NycTlcGreen.get_tabular_dataset()
    assert "Upload failed" not in caplog.text


def test_public_holidays_offline_reads_its_own_packaged_copy(azureml_emulator):
    holidays = PublicHolidaysOffline(country_or_region="US", start_date=datetime(2020, 7, 4),
                                     end_date=datetime(2020, 7, 4)).to_pandas_dataframe()
    assert holidays["normalizeHolidayName"].tolist() == ["Independence Day"]


def test_off_means_the_open_datasets_are_the_sdks_own(tmp_path):
    originals = {name: getattr(BlobAccessor, name) for name in
                 ("get_file_dataflow", "get_file_dataset", "get_tabular_dataset", "get_spark_dataframe")}
    with azureml_emulator.emulate(home=tmp_path):
        assert all(getattr(BlobAccessor, name) is not original for name, original in originals.items())
    assert {name: getattr(BlobAccessor, name) for name in originals} == originals
