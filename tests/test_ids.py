"""Identifiers: one parser and one formatter each, and a clear error for a malformed one."""
import re

import pytest

from azureml_emulator.errors import BadRequest
from azureml_emulator.ids import ArtifactId, ModelId, WorkspaceKey, checked_text


def test_workspace_key_round_trip_and_folder_name():
    key = WorkspaceKey("sub", "rg", "ws")
    assert str(key) == "sub/rg/ws"
    assert WorkspaceKey.parse("sub/rg/ws") == key
    assert key.folder_name == "sub_rg_ws"


@pytest.mark.parametrize("text", ["sub/rg", "sub/rg/ws/extra", "sub//ws", ""])
def test_malformed_workspace_keys_are_refused(text):
    with pytest.raises(BadRequest, match="workspace"):
        WorkspaceKey.parse(text)


def test_artifact_id_round_trip_and_children():
    artifact = ArtifactId.parse("LocalUpload/abc123/outputs/model.pkl")
    assert artifact == ArtifactId("LocalUpload", "abc123", "outputs/model.pkl")
    assert str(artifact) == "LocalUpload/abc123/outputs/model.pkl"
    assert str(artifact.container_id) == "LocalUpload/abc123"
    assert artifact.child("other.txt") == ArtifactId("LocalUpload", "abc123", "other.txt")


@pytest.mark.parametrize("text", ["just-origin", "/abc/path", ""])
def test_malformed_artifact_ids_are_refused(text):
    with pytest.raises(BadRequest, match="artifact id"):
        ArtifactId.parse(text)


def test_model_id_round_trip_with_colons_in_the_name():
    assert ModelId.parse("sklearn_mnist:12") == ModelId("sklearn_mnist", 12)
    assert ModelId.parse("a:b:3") == ModelId("a:b", 3)
    assert str(ModelId("sklearn_mnist", 12)) == "sklearn_mnist:12"


@pytest.mark.parametrize("text", ["sklearn_mnist", "sklearn_mnist:", ":3", "m:latest", "m:-1"])
def test_malformed_model_ids_are_refused(text):
    with pytest.raises(BadRequest, match="model id"):
        ModelId.parse(text)


def test_checked_text_refuses_control_characters_lone_surrogates_and_overlong_names():
    assert checked_text("sklearn-mnist_1.0 é", "name") == "sklearn-mnist_1.0 é"
    for text, fragment in (("a\x7fb", "control character '\\x7f'"), ("a\x85b", "control character '\\x85'"),
                           ("a\ud800", "not valid Unicode text"), ("x" * 256, "it is 256 bytes long")):
        with pytest.raises(BadRequest, match=re.escape(fragment)):
            checked_text(text, "name")
