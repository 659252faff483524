"""The SDK's REST operations are read from its generated clients' sources, whatever shape they take."""
from azureml_emulator.rest import catalogue


def _operation(name):
    return [op for client in catalogue.CLIENTS for op in catalogue.client_operations(client) if op.name == name]


def test_a_template_split_with_plus_is_read_whole():
    # azureml-core's Resource Manager client writes its templates as 'a' + 'b'.
    computes = _operation("MachineLearningComputeOperations.get")
    assert any(op.url.endswith("/workspaces/{workspaceName}/computes/{computeName}") and op.method == "GET"
               for op in computes)


def test_a_long_running_operation_has_the_verb_of_the_request_it_starts():
    # begin_delete sends its DELETE from _delete_initial, which is not listed itself.
    [begin_delete] = _operation("BatchDeploymentsOperations.begin_delete")
    assert begin_delete.method == "DELETE"
    assert not _operation("BatchDeploymentsOperations._delete_initial")
    assert all(op.method for client in catalogue.CLIENTS for op in catalogue.client_operations(client))


def test_the_router_names_only_the_workspace_services_operations():
    assert set(catalogue.operations()) <= {op for client in catalogue.ROUTED_CLIENTS
                                           for op in catalogue.client_operations(client)}
    assert not catalogue.find("POST", "/pipelines/v1.0/subscriptions/s/resourceGroups/r/providers/"
                                      "Microsoft.MachineLearningServices/workspaces/w/AzureMLModules")
