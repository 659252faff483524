"""The emulator's errors: each carries Azure's status and code (a code given when raised wins),
a missing resource says "<what> was not found" with the code Azure uses for it, and a failed
environment build reports its message followed by the installer's whole log."""
import pytest
import requests

from azureml_emulator.addresses import ARM_BASE_URL
from azureml_emulator.errors import BuildError, Conflict, NotEmulated, NotFound, found


def test_a_code_given_when_raised_replaces_the_class_code():
    assert (Conflict("x").status, Conflict("x").code) == (409, "Conflict")
    assert Conflict("x", code="UserError").code == "UserError"
    assert Conflict("x", code="UserError").message == str(Conflict("x", code="UserError")) == "x"
    assert (NotEmulated("Model.package").status, str(NotEmulated("Model.package"))) == (
        501, "not emulated by azureml_emulator: Model.package")


def test_found_returns_the_value_or_says_what_was_not_found():
    assert found(0, "Zero", "ZeroNotFound") == 0   # only None is missing
    with pytest.raises(NotFound) as missing:
        found(None, "Dataset mnist", "DatasetNotFound")
    assert (missing.value.status, missing.value.code, missing.value.message) == (
        404, "DatasetNotFound", "Dataset mnist was not found")


def test_a_missing_workspace_is_azures_resource_not_found(azureml_emulator):
    url = (ARM_BASE_URL + "/subscriptions/s/resourceGroups/rg/providers/Microsoft.MachineLearningServices"
           "/workspaces/nowhere?api-version=2023-08-01")
    answer = requests.get(url, timeout=5)
    assert answer.status_code == 404
    assert answer.json()["error"] == {
        "code": "ResourceNotFound", "details": [],
        "message": "The Resource 'Microsoft.MachineLearningServices/workspaces/nowhere' under resource group "
                   "'rg' was not found"}


def test_a_build_report_is_the_message_then_the_whole_log(tmp_path):
    log = tmp_path / "install.log"
    log.write_bytes(b"$ uv pip install scikit-learn==0.22.1\nerror: no wheel \xff\n")
    assert BuildError("Building environment x failed.", log_path=log).report() == (
        "Building environment x failed.\n\nThe installer's log:\n"
        "$ uv pip install scikit-learn==0.22.1\nerror: no wheel \ufffd\n")
    assert BuildError("No installer ran.").report() == "No installer ran.\n\nThe installer's log:\n"
    assert BuildError("x").code == "EnvironmentBuildFailed" and BuildError("x").status == 400
