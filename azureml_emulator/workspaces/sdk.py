"""The SDK's `Workspace`, talking to the emulator instead of Azure.

The SDK's own class is used; only the steps that would reach Azure Resource Manager
and Azure AD are replaced: a local authentication object, and a ServiceContext whose
service discovery points every Azure ML endpoint at the emulator's reserved host.
"""
from __future__ import annotations

import copy
from typing import Any, Callable

from azureml._restclient.service_context import ServiceContext
from azureml.core.authentication import AbstractAuthentication
from azureml.core.workspace import Workspace
from azureml.exceptions import UserErrorException

from azureml_emulator.addresses import ARM_BASE_URL, EMULATOR_BASE_URL
from azureml_emulator.context import current
from azureml_emulator.ids import WorkspaceKey
from azureml_emulator.tokens import unsigned_jwt
from azureml_emulator.workspaces import backend

DEFAULT_SUBSCRIPTION = "00000000-0000-0000-0000-000000000000"
DEFAULT_RESOURCE_GROUP = "azureml-emulator"
DEFAULT_WORKSPACE = "local-workspace"
# The SDK decodes its tokens for their expiry and tenant.
LOCAL_TOKEN = unsigned_jwt({"tid": backend.TENANT, "iss": "azureml-emulator"})

_announced: set[tuple[Any, str]] = set()   # (home, message) pairs already printed


def emulator_cloud() -> Any:
    """Azure's public cloud, with Resource Manager at the emulator's ARM host (compute
    create and delete go there)."""
    from azureml._vendor.azure_cli_core.cloud import AZURE_PUBLIC_CLOUD
    cloud = copy.deepcopy(AZURE_PUBLIC_CLOUD)
    cloud.endpoints.resource_manager = cloud.endpoints.management = ARM_BASE_URL
    return cloud


class EmulatorAuthentication(AbstractAuthentication):
    """Authentication that needs no Azure AD: every token is a fixed local one."""

    def __init__(self) -> None:
        # The base class would read the Azure CLI's cloud configuration.
        self._cloud_type = emulator_cloud()

    def _get_arm_token(self) -> str:
        return LOCAL_TOKEN

    def _get_graph_token(self) -> str:
        return LOCAL_TOKEN

    def _get_azureml_client_token(self) -> str:
        return LOCAL_TOKEN

    def _get_all_subscription_ids(self) -> tuple[list, str]:
        from azureml.core.authentication import _SubscriptionInfo
        return [_SubscriptionInfo("Emulated subscription " + subscription, subscription)
                for subscription in backend.subscriptions(current().store)], backend.TENANT

    def _get_workspace(self, subscription_id: str, resource_group: str, name: str) -> None:
        return None

    def get_authentication_header(self) -> dict[str, str]:
        return {"Authorization": "Bearer " + LOCAL_TOKEN}


def interactive_login_seams() -> list[tuple[Any, str, Any]]:
    """``InteractiveLoginAuthentication()`` signs in with no browser and no Azure AD: it hands
    out the workspace's local token (what a published pipeline's REST endpoint is called with)."""
    from azureml.core.authentication import InteractiveLoginAuthentication

    def __init__(self: Any, force: bool = False, tenant_id: str | None = None, cloud: str | None = None) -> None:
        self._cloud_type = emulator_cloud()

    return [(InteractiveLoginAuthentication, "__init__", __init__)] + [
        (InteractiveLoginAuthentication, name, getattr(EmulatorAuthentication, name))
        for name in ("_get_arm_token", "_get_graph_token", "_get_azureml_client_token", "_get_all_subscription_ids",
                     "_get_workspace", "get_authentication_header")]


class EmulatedServiceContext(ServiceContext):
    """Service discovery answered locally: all Azure ML services live at the emulator host."""

    def _fetch_endpoints(self) -> dict[str, str]:
        return backend.service_endpoints()


def _announce(detail: str | None = None) -> None:
    """Say once per home and message that the emulator, not Azure, is answering."""
    home = current().home
    for message in ["using the offline Azure ML workspace emulator (home: {}); nothing is sent to Azure."
                    .format(home), detail]:
        if message and (home, message) not in _announced:
            _announced.add((home, message))
            print("azureml_emulator: " + message)


def make_init(original_init: Callable[..., None]) -> Callable[..., None]:
    def __init__(self: Workspace, subscription_id: str, resource_group: str, workspace_name: str,
                 auth: Any = None, _location: str | None = None, _disable_service_check: bool = False,
                 _workspace_id: str | None = None, sku: str = "basic", tags: Any = None,
                 _cloud: str = "AzureCloud") -> None:
        _announce()
        subscription_id = subscription_id or DEFAULT_SUBSCRIPTION
        resource_group = resource_group or DEFAULT_RESOURCE_GROUP
        auth = EmulatorAuthentication()
        workspace_id = backend.workspace_id(current().store,
                                            WorkspaceKey(subscription_id, resource_group, workspace_name))
        original_init(self, subscription_id, resource_group, workspace_name, auth=auth,
                      _location=_location or backend.LOCATION, _disable_service_check=True,
                      _workspace_id=workspace_id, sku=sku, tags=tags, _cloud=_cloud)
        self._discovery_url_internal = EMULATOR_BASE_URL + "/discovery"
        self._service_context = EmulatedServiceContext(subscription_id, resource_group, workspace_name,
                                                       workspace_id, self._discovery_url_internal, auth)
    return __init__


def get(name: str, auth: Any = None, subscription_id: str | None = None, resource_group: str | None = None,
        location: str | None = None, cloud: str = "AzureCloud", id: str | None = None) -> Workspace:
    """Workspace.get: the named workspace of the emulator (created on first use)."""
    return Workspace(subscription_id, resource_group, name, _location=location, _cloud=cloud)


def make_from_config(original_from_config: Callable[..., Workspace]) -> Callable[..., Workspace]:
    def from_config(path: str | None = None, auth: Any = None, _logger: Any = None,
                    _file_name: str | None = None) -> Workspace:
        """Workspace.from_config: the names in config.json when there is one, else the local default."""
        try:
            return original_from_config(path=path, auth=auth, _logger=_logger, _file_name=_file_name)
        except UserErrorException as error:
            if "could not be found" not in str(error):
                raise
        _announce("no config.json found; using the default local workspace '{}'".format(DEFAULT_WORKSPACE))
        return Workspace(DEFAULT_SUBSCRIPTION, DEFAULT_RESOURCE_GROUP, DEFAULT_WORKSPACE)
    return from_config


def make_list(original_list: Callable[..., dict]) -> Callable[..., dict]:
    def list_workspaces(subscription_id: str, auth: Any = None, resource_group: str | None = None) -> dict:
        """Workspace.list: the SDK's own, through Resource Manager, with the local authentication."""
        return original_list(subscription_id, auth=EmulatorAuthentication(), resource_group=resource_group)
    return list_workspaces
