"""The model registry, with the SDK's own objects and errors."""
import joblib
import numpy as np
import pytest
import requests
from azureml.core import Model
from azureml.exceptions import ModelNotFoundException, WebserviceException

from helpers import save_model

from azureml_emulator.addresses import EMULATOR_BASE_URL


@pytest.fixture
def model_file(tmp_path, small_model):
    return save_model(small_model, tmp_path)


def test_register_a_file_auto_increments_versions(ws, model_file):
    first = Model.register(ws, model_path=model_file.name, model_name="sklearn_mnist",
                           tags={"data": "mnist"}, description="Mnist handwriting recognition")
    second = Model.register(ws, model_path=model_file.name, model_name="sklearn_mnist")
    assert isinstance(first, Model)
    assert (first.id, first.version, second.version) == ("sklearn_mnist:1", 1, 2)
    assert first.tags == {"data": "mnist"} and first.description == "Mnist handwriting recognition"
    assert first.url.startswith("aml://asset/")


def test_get_latest_and_specific_version(ws, model_file):
    for _ in range(3):
        Model.register(ws, model_path=model_file.name, model_name="sklearn_mnist")
    assert Model(ws, "sklearn_mnist").version == 3
    assert Model(ws, "sklearn_mnist", version=2).version == 2
    assert Model(ws, id="sklearn_mnist:1").version == 1


def test_list_and_filters(ws, model_file):
    Model.register(ws, model_path=model_file.name, model_name="a", tags={"kind": "x"})
    Model.register(ws, model_path=model_file.name, model_name="a")
    Model.register(ws, model_path=model_file.name, model_name="b", tags={"kind": "y"})
    assert sorted((m.name, m.version) for m in Model.list(ws)) == [("a", 1), ("a", 2), ("b", 1)]
    assert [(m.name, m.version) for m in Model.list(ws, name="a", latest=True)] == [("a", 2)]
    assert [m.name for m in Model.list(ws, tags=[["kind", "y"]])] == ["b"]


def test_unknown_name_raises_the_sdk_error(ws):
    with pytest.raises(WebserviceException) as caught:
        Model(ws, "no-such-model")
    assert caught.value.message == "ModelNotFound: Model with name no-such-model not found in provided workspace"


def test_unknown_version_raises_the_sdk_error(ws, model_file):
    Model.register(ws, model_path=model_file.name, model_name="sklearn_mnist")
    with pytest.raises(WebserviceException) as caught:
        Model(ws, "sklearn_mnist", version=7)
    assert caught.value.message == "ModelNotFound: Model with id sklearn_mnist:7 not found in provided workspace"


def test_invalid_model_name_is_rejected_by_the_sdk(ws, model_file):
    with pytest.raises(WebserviceException, match="model name"):
        Model.register(ws, model_path=model_file.name, model_name="bad name!")


def test_missing_model_path_registers_nothing(ws):
    with pytest.raises(FileNotFoundError):
        Model.register(ws, model_path="missing.pkl", model_name="ghost")
    assert Model.list(ws) == []


def test_download_returns_the_registered_bytes(ws, model_file, tmp_path, small_model, mnist):
    model = Model.register(ws, model_path=model_file.name, model_name="sklearn_mnist")
    model_file.unlink()   # the registry keeps its own copy
    path = model.download(target_dir=str(tmp_path / "dl"))
    restored = joblib.load(path)
    np.testing.assert_array_equal(restored.predict(mnist["X_test"][:200]), small_model.predict(mnist["X_test"][:200]))
    with pytest.raises(WebserviceException, match="File already exists"):
        model.download(target_dir=str(tmp_path / "dl"))


def test_folder_models_keep_their_layout(ws, tmp_path, small_model):
    save_model(small_model, tmp_path / "outputs")
    (tmp_path / "outputs" / "meta").mkdir()
    (tmp_path / "outputs" / "meta" / "labels.txt").write_text("0 1 2 3 4 5 6 7 8 9")
    model = Model.register(ws, model_path="outputs", model_name="folder-model")
    root = model.download(target_dir=str(tmp_path / "dl"))
    assert (tmp_path / "dl" / "outputs" / "meta" / "labels.txt").read_text() == "0 1 2 3 4 5 6 7 8 9"
    assert root == str(tmp_path / "dl" / "outputs")


def test_get_model_path_downloads_into_azureml_models(ws, model_file, tmp_path):
    Model.register(ws, model_path=model_file.name, model_name="sklearn_mnist")
    Model.register(ws, model_path=model_file.name, model_name="sklearn_mnist")
    path = Model.get_model_path("sklearn_mnist", version=1, _workspace=ws)
    assert path == "azureml-models/sklearn_mnist/1/sklearn_mnist_model.pkl"
    assert (tmp_path / path).is_file()
    with pytest.raises(ModelNotFoundException, match="Model/Version sklearn_mnist/9 not found"):
        Model.get_model_path("sklearn_mnist", version=9, _workspace=ws)


def test_model_delete(ws, model_file):
    model = Model.register(ws, model_path=model_file.name, model_name="sklearn_mnist")
    model.delete()
    with pytest.raises(WebserviceException, match="ModelNotFound"):
        Model(ws, "sklearn_mnist")


def test_tags_properties_and_description_are_updated_in_the_registry(ws, model_file):
    model = Model.register(ws, model_path=model_file.name, model_name="sklearn_mnist", tags={"data": "mnist"})
    model.add_tags({"stage": "test"})
    model.remove_tags(["data"])
    model.add_properties({"accuracy": "0.9"})
    model.update(description="updated")
    again = Model(ws, "sklearn_mnist")
    assert again.tags == {"stage": "test"}
    assert again.properties == {"accuracy": "0.9"}
    assert again.description == "updated"
    assert [m.name for m in Model.list(ws, tags=[["stage", "test"]])] == ["sklearn_mnist"]
    assert [m.name for m in Model.list(ws, properties=["accuracy"])] == ["sklearn_mnist"]


def test_everything_register_accepts_is_kept_and_read_back_by_the_sdk(ws, model_file):
    from azureml.core.resource_configuration import ResourceConfiguration
    Model.register(ws, model_path=model_file.name, model_name="described", model_framework=Model.Framework.SCIKITLEARN,
                   model_framework_version="1.5.2", resource_configuration=ResourceConfiguration(cpu=1, memory_in_gb=0.5),
                   tags={"t": "1"}, properties={"p": "2"}, description="kept")
    model = Model(ws, "described")
    assert (model.model_framework, model.model_framework_version, model.tags, model.properties, model.description) == (
        "ScikitLearn", "1.5.2", {"t": "1"}, {"p": "2"}, "kept")
    resources = model.resource_configuration
    assert (resources.cpu, resources.memory_in_gb, resources.gpu) == (1, 0.5, None)
    # The service returns every key of it, as the SDK's deserializer (which reads the models of a
    # web service) requires; the SDK sent it without the unset gpu.
    answer = requests.get("{}/modelmanagement/v1.0{}/models/described:1".format(EMULATOR_BASE_URL, ws.service_context
                                                                              ._get_workspace_scope()))
    assert answer.json()["resourceRequirements"] == {"cpu": 1, "memoryInGB": 0.5, "gpu": None}
    assert ResourceConfiguration.deserialize(answer.json()["resourceRequirements"]).memory_in_gb == 0.5


def test_a_model_with_the_longest_name_azure_allows_is_fetched_tagged_and_deleted(ws, model_file):
    """255 characters: its id (name:version) is longer than a name, and still a valid id."""
    name = "m" * 255
    model = Model.register(ws, model_path=str(model_file), model_name=name)
    assert Model(ws, id=model.id).name == name
    model.add_tags({"k": "v"})
    assert Model(ws, name=name).tags == {"k": "v"}
    model.delete()
    with pytest.raises(WebserviceException):
        Model(ws, name=name)
