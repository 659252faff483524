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


def test_the_router_names_the_pipeline_services_operations_but_not_azureml_mlflows_copies():
    assert set(catalogue.operations()) == {op for client in catalogue.ROUTED_CLIENTS
                                           for op in catalogue.client_operations(client)}
    assert catalogue.describe("POST", "/pipelines/v1.0/subscriptions/s/resourceGroups/r/providers/"
                                      "Microsoft.MachineLearningServices/workspaces/w/AzureMLModules") == (
        "AMLPipelinesAPI10.create_azure_ml_module_async (POST /pipelines/v1.0/subscriptions/s/resourceGroups/r/"
        "providers/Microsoft.MachineLearningServices/workspaces/w/AzureMLModules)")
    assert not any(op.name.startswith("OnlineEndpointsOperations") for op in catalogue.operations())


def test_a_long_running_operation_is_not_taken_for_the_get_that_polls_it():
    # azureml-core's Resource Manager client: delete() calls _delete_initial, then polls with GET.
    resource_manager = catalogue.ROUTED_CLIENTS[1]
    methods = {op.name: op.method for op in catalogue.client_operations(resource_manager)}
    assert (methods["WorkspacesOperations.delete"], methods["WorkspacesOperations.update"]) == ("DELETE", "PATCH")
