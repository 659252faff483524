"""The content service refuses snapshot trees and run ids that would write outside their folders."""
import pytest
import requests

from azureml_emulator.addresses import EMULATOR_BASE_URL
from azureml_emulator.ids import WorkspaceKey
from azureml_emulator.snapshots import backend


def scope(ws):
    return ("/subscriptions/{}/resourceGroups/{}/providers/Microsoft.MachineLearningServices/workspaces/{}"
            .format(ws.subscription_id, ws.resource_group, ws.name))


@pytest.mark.parametrize("name", ["..", ".", "../escape.txt", "/etc/passwd", "a/../../b", "", "..\\..\\b", "a\0b"])
def test_a_snapshot_file_name_that_leaves_the_folder_is_refused(azureml_emulator, ws, name):
    tree = {"name": "", "type": "Directory", "children": {name: {"name": name, "type": "File", "children": {}}}}
    answer = requests.post(EMULATOR_BASE_URL + "/content/v2.0" + scope(ws) + "/snapshots/s1",
                           json={"DirTreeNode": tree, "FileRevisionList": {"FileNodes": []}})
    assert answer.status_code == 400
    assert backend.get(azureml_emulator.store, WorkspaceKey.of(ws), "s1") is None


@pytest.mark.parametrize("run_id", ["../../escaped", "a/b", ".hidden", ""])
def test_a_run_id_that_is_not_a_plain_name_is_refused(azureml_emulator, ws, run_id):
    answer = requests.post(EMULATOR_BASE_URL + "/execution/v1.0" + scope(ws) + "/experiments/e/snapshotrun",
                           params={"runId": run_id}, json={"Configuration": {"script": "train.py", "target": "c"}})
    assert answer.status_code == 400
    assert not list(azureml_emulator.home.parent.rglob("escaped"))
