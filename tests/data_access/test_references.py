"""A run's data references and outputs name folders through the one path guard: a path that
leaves the datastore's folder (or the job's working directory) fails the run with UserError."""
import pytest

from azureml_emulator.data_access.references import in_folder
from azureml_emulator.errors import EmulatorError


@pytest.mark.parametrize("path", ["../escape", "a/../../escape", "a\\..\\..\\escape"])
def test_a_reference_path_leaving_its_folder_fails_the_run(tmp_path, path):
    with pytest.raises(EmulatorError, match="pathOnDataStore .* leaves its folder") as refused:
        in_folder(tmp_path / "store", path, "pathOnDataStore")
    assert refused.value.code == "UserError"
    assert not (tmp_path / "escape").exists()


def test_a_reference_path_inside_its_folder_resolves(tmp_path):
    assert in_folder(tmp_path, "/a/../b/", "pathOnDataStore") == tmp_path.resolve() / "b"
    assert in_folder(tmp_path, None, "pathOnDataStore") == tmp_path.resolve()
