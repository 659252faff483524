"""Datasets registered, versioned and found again through the SDK's own dataset code."""
import pytest
from azureml.core import Dataset
from azureml.exceptions import UserErrorException
from azureml.opendatasets import MNIST


def test_register_then_get_by_name_gives_the_same_dataset(ws, tmp_path):
    registered = MNIST.get_file_dataset().register(ws, name="mnist_opendataset", description="training and test",
                                                   create_new_version=True)
    assert (registered.name, registered.version) == ("mnist_opendataset", 1)
    found = Dataset.get_by_name(ws, "mnist_opendataset")
    assert (found.name, found.version, found.id, found.description) == (
        "mnist_opendataset", 1, registered.id, "training and test")
    paths = found.download(str(tmp_path), overwrite=True)   # the registered definition still reads MNIST
    assert sorted(p.rsplit("/", 1)[1] for p in paths) == sorted(
        ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz",
         "t10k-labels-idx1-ubyte.gz"])
    assert Dataset.get_by_id(ws, registered.id).name == "mnist_opendataset"


def test_the_same_definition_keeps_its_version_and_a_new_one_adds_a_version(ws):
    MNIST.get_file_dataset().register(ws, name="mnist", create_new_version=True)
    again = MNIST.get_file_dataset().register(ws, name="mnist", create_new_version=True)
    assert again.version == 1
    test_only = MNIST.get_file_dataset(dataset_filter="test").register(ws, name="mnist", create_new_version=True)
    assert test_only.version == 2
    assert Dataset.get_by_name(ws, "mnist").version == 2
    assert Dataset.get_by_name(ws, "mnist", version=1).version == 1
    assert "mnist" in ws.datasets


def test_a_name_taken_without_create_new_version_is_the_sdks_error(ws):
    MNIST.get_file_dataset().register(ws, name="mnist")
    with pytest.raises(Exception, match='There is already a dataset registered under name "mnist"'):
        MNIST.get_file_dataset(dataset_filter="train").register(ws, name="mnist", create_new_version=False)


def test_a_missing_name_is_the_sdks_error(ws):
    with pytest.raises(UserErrorException,
                       match=r'Cannot find dataset registered with name "nope" \(version: None\) in the workspace'):
        Dataset.get_by_name(ws, "nope")
