"""AmlCompute clusters through the SDK: created through Resource Manager, listed and
fetched through the workspace, with Azure's shapes and its error for a missing name."""
import pytest
import requests
from azureml.core.compute import AmlCompute, ComputeTarget
from azureml.exceptions import ComputeTargetException

from azureml_emulator.addresses import ARM_BASE_URL

STATUS_KEYS = ["currentNodeCount", "targetNodeCount", "nodeStateCounts", "allocationState",
               "allocationStateTransitionTime", "errors", "creationTime", "modifiedTime", "provisioningState",
               "provisioningStateTransitionTime", "scaleSettings", "vmPriority", "vmSize"]


def create(ws, name="cpu-cluster", min_nodes=0, max_nodes=4):
    config = AmlCompute.provisioning_configuration(vm_size="STANDARD_D2_V2", min_nodes=min_nodes, max_nodes=max_nodes)
    return ComputeTarget.create(ws, name, config)


def test_create_wait_and_status_as_the_tutorial_does(ws, capsys):
    assert "cpu-cluster" not in ws.compute_targets
    target = create(ws)
    target.wait_for_completion(show_output=True, min_node_count=None, timeout_in_minutes=20)
    printed = capsys.readouterr().out
    assert 'Provisioning operation finished, operation "Succeeded"' in printed
    assert "Minimum number of nodes requested have been provisioned" in printed
    status = target.get_status().serialize()
    assert list(status) == STATUS_KEYS
    assert status["provisioningState"] == "Succeeded" and status["vmSize"] == "STANDARD_D2_V2"
    assert status["scaleSettings"] == {"minNodeCount": 0, "maxNodeCount": 4, "nodeIdleTimeBeforeScaleDown": "PT1800S"}


def test_the_workspace_lists_and_fetches_the_cluster_as_an_amlcompute(ws):
    create(ws)
    assert "cpu-cluster" in ws.compute_targets
    listed = ws.compute_targets["cpu-cluster"]
    assert type(listed) is AmlCompute
    fetched = ComputeTarget(workspace=ws, name="cpu-cluster")
    assert type(fetched) is AmlCompute and fetched.vm_size == "STANDARD_D2_V2"
    assert fetched.scale_settings.maximum_node_count == 4


def test_a_missing_cluster_is_azures_compute_target_not_found(ws):
    with pytest.raises(ComputeTargetException) as raised:
        ComputeTarget(workspace=ws, name="nope")
    assert raised.value.message == "ComputeTargetNotFound: Compute Target with name nope not found in provided workspace"


def test_delete_removes_the_cluster(ws):
    target = create(ws)
    target.delete()
    assert "cpu-cluster" not in ws.compute_targets
    with pytest.raises(ComputeTargetException, match="ComputeTargetNotFound"):
        ComputeTarget(workspace=ws, name="cpu-cluster")


def test_updating_the_scale_settings_keeps_the_creation_time(ws):
    first = create(ws, max_nodes=4).get_status().serialize()
    second = create(ws, max_nodes=2).get_status().serialize()
    assert second["scaleSettings"]["maxNodeCount"] == 2
    assert second["creationTime"] == first["creationTime"]


@pytest.mark.parametrize("scale, fragment", [
    ({"minNodeCount": 3, "maxNodeCount": 1}, "minNodeCount 3 and maxNodeCount 1"),
    ({"minNodeCount": 0, "maxNodeCount": "four"}, "scaleSettings.maxNodeCount is 'four': expected a whole number"),
    ({"minNodeCount": -1, "maxNodeCount": 2}, "scaleSettings.minNodeCount is -1: expected zero or more"),
])
def test_bad_scale_settings_sent_to_resource_manager_are_refused_with_the_reason(ws, scale, fragment):
    # The SDK checks min <= max itself; other clients (or an SDK that does not) meet this answer.
    url = "{}subscriptions/{}/resourceGroups/{}/providers/Microsoft.MachineLearningServices/workspaces/{}/computes/" \
          "bad?api-version=2020-02-02".format(ARM_BASE_URL, ws.subscription_id, ws.resource_group, ws.name)
    answer = requests.put(url, json={"location": "local", "properties": {
        "computeType": "AmlCompute", "properties": {"vmSize": "STANDARD_D2_V2", "scaleSettings": scale}}})
    assert answer.status_code == 400 and fragment in answer.json()["error"]["message"]
    assert "bad" not in ws.compute_targets


def test_other_compute_types_are_not_emulated(ws):
    from azureml.core.compute import ComputeInstance
    config = ComputeInstance.provisioning_configuration(vm_size="STANDARD_DS3_V2")
    with pytest.raises(ComputeTargetException, match="not emulated by azureml_emulator: "):
        ComputeTarget.create(ws, "my-instance", config)
    assert "my-instance" not in ws.compute_targets


@pytest.mark.parametrize("name", ["1-starts-with-digit", "x", "has_underscore", "seventeen-chars-x", "ends-"])
def test_a_cluster_name_azure_refuses_is_refused_with_azures_rule(ws, name):
    with pytest.raises(ComputeTargetException, match="Compute name is invalid. It can include letters, digits and "
                                                     "dashes"):
        create(ws, name=name)


def test_update_changes_the_scale_settings_and_refuses_impossible_ones(ws):
    target = create(ws, max_nodes=2)
    target.update(min_nodes=1, max_nodes=3, idle_seconds_before_scaledown=300)
    fetched = ComputeTarget(ws, "cpu-cluster")
    assert (fetched.scale_settings.minimum_node_count, fetched.scale_settings.maximum_node_count,
            fetched.scale_settings.idle_seconds_before_scaledown) == (1, 3, 300)
    with pytest.raises(ComputeTargetException, match="minNodeCount 4 and maxNodeCount 3"):
        target.update(min_nodes=4)
    assert ComputeTarget(ws, "cpu-cluster").scale_settings.minimum_node_count == 1


def test_supported_vm_sizes_have_the_fields_the_sdk_reads(ws):
    sizes = {size["name"]: size for size in AmlCompute.supported_vmsizes(ws)}
    assert sizes["Standard_D2_v2"] == {"name": "Standard_D2_v2", "vCPUs": 2, "gpus": 0, "memoryGB": 7.0,
                                       "maxResourceVolumeMB": 102400}


def test_list_nodes_shows_a_node_per_running_job_and_the_idle_minimum(cluster):
    import time
    from helpers import submit_script
    cluster.target.update(min_nodes=1)
    assert [node["nodeState"] for node in cluster.target.list_nodes()] == ["idle"]
    run = submit_script(cluster, "import time\nprint('started', flush=True)\ntime.sleep(120)\n")
    deadline = time.monotonic() + 60
    while run.get_status() != "Running" and time.monotonic() < deadline:
        time.sleep(0.2)
    nodes = cluster.target.list_nodes()
    assert [(node["nodeState"], node["runId"]) for node in nodes] == [("running", run.id)]
    run.cancel()
    run.wait_for_completion()


def test_a_compute_cannot_change_its_type(ws):
    from azureml.core.compute import AksCompute
    create(ws, name="one-name")
    with pytest.raises(ComputeTargetException, match="already exists with type AmlCompute"):
        ComputeTarget.create(ws, "one-name", AksCompute.provisioning_configuration())
    assert isinstance(ComputeTarget(ws, "one-name"), AmlCompute)
