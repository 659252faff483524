"""LocalWebservice without Docker: `LocalWebservice.deploy_configuration(port=...)`
deployments run in the same local inference server as ACI ones.

The SDK's LocalWebservice drives a Docker container directly (no Model
Management Service), so here its container-facing methods are replaced; the
class, its deploy configuration and its validation stay the SDK's.
"""
import datetime
import json

import requests
from azureml.core.model import InferenceConfig
from azureml.core.webservice.local import LocalWebservice, LocalWebserviceDeploymentConfiguration
from azureml.exceptions import WebserviceException

from azureml_emulator.webservices import api as api_services

from azureml_emulator.webservices import deployment as deployments
from azureml_emulator.webservices.api import POLL_WAIT_SECONDS
from azureml_emulator.runtime.context import current
from azureml_emulator.rest.router import make_workspace_key

STATE_BY_SERVICE_STATE = {"Transitioning": LocalWebservice.STATE_DEPLOYING, "Healthy": LocalWebservice.STATE_RUNNING}


def _workspace_key(workspace):
    return make_workspace_key(workspace.subscription_id, workspace.resource_group, workspace.name)


def _deploy(workspace, name, models, image_config=None, deployment_config=None, wait=False, inference_config=None):
    if image_config is not None:
        raise WebserviceException("azureml_emulator deploys LocalWebservice from an InferenceConfig only; "
                                  "ContainerImageConfig (image_config) is not emulated.")
    deployment_config = deployment_config or LocalWebservice.deploy_configuration()
    if not isinstance(deployment_config, LocalWebserviceDeploymentConfiguration):
        raise WebserviceException('Error, provided deployment configuration must be of type '
                                  'LocalWebserviceDeploymentConfiguration in order to deploy a local service.')
    if not isinstance(inference_config, InferenceConfig):
        raise WebserviceException('Error, provided inference configuration must be of type InferenceConfig '
                                  'in order to deploy a local service.')
    image_request = inference_config._build_environment_image_request(workspace, [m.id for m in models])
    payload = {"name": name, "computeType": LocalWebservice._webservice_type,
               "environmentImageRequest": image_request}
    api_services.deploy(_workspace_key(workspace), payload, port=deployment_config.port)
    service = LocalWebservice(workspace, name)
    if wait:
        service.wait_for_deployment()
    return service


def __init__(self, workspace, name, must_exist=True):
    self.name = name
    self.compute_type = LocalWebservice._webservice_type
    self.workspace = workspace
    self.error = None
    self.state = None
    self.image_id = None
    self.tags = None
    self.properties = None
    self.created_time = datetime.datetime.now()
    self.updated_time = datetime.datetime.now()
    self._image_config = None
    self._inference_config = None
    self.update_deployment_state(must_exist=must_exist)


def update_deployment_state(self, must_exist=False, wait_seconds=0):
    ws = _workspace_key(self.workspace)
    service, proc = api_services.settle(ws, self.name, wait_seconds)
    if service is None:
        if must_exist:
            raise WebserviceException("WebserviceNotFound: Local webservice {} not found.".format(self.name))
        self.state = LocalWebservice.STATE_UNKNOWN
        return
    self.state = STATE_BY_SERVICE_STATE.get(service["state"], LocalWebservice.STATE_FAILED)
    self.error = service.get("error")
    self._proc = proc
    self._port = proc.get("port")
    self._base_url = "http://127.0.0.1:{}".format(self._port) if self._port else None


def wait_for_deployment(self, show_output=False):
    self.update_deployment_state(must_exist=True, wait_seconds=POLL_WAIT_SECONDS)
    if self.state != LocalWebservice.STATE_RUNNING:
        self.state = LocalWebservice.STATE_FAILED
        raise WebserviceException("Error: Local webservice {} failed to start (its server exited or never became "
                                  "healthy). Did your init method fail?\n{}\nCall get_logs() for the full log."
                                  .format(self.name, (self.error or {}).get("message", "")))
    print("Local webservice is {} at {}".format(self.state, self._base_url))


def run(self, input_data):
    self.update_deployment_state(must_exist=True)
    if self.state == LocalWebservice.STATE_DEPLOYING:
        self.wait_for_deployment()
    if self.state != LocalWebservice.STATE_RUNNING:
        raise WebserviceException("Local webservice {} is {}, not Running: call get_logs() to see why.\n{}"
                                  .format(self.name, self.state, (self.error or {}).get("message", "")))
    response = requests.post(self.scoring_uri, data=input_data, headers={"Content-Type": "application/json"})
    if response.status_code != 200:
        raise WebserviceException("Received bad response from service:\nResponse Code: {}\nHeaders: {}\n"
                                  "Content: {}".format(response.status_code, response.headers, response.content))
    return response.json()


def get_logs(self, num_lines=5000, raw=False):
    return deployments.log_tail(getattr(self, "_proc", None) or {}, num_lines)


def delete(self, delete_cache=True, delete_image=False, delete_volume=True):
    api_services.remove(_workspace_key(self.workspace), self.name)
    self.state = LocalWebservice.STATE_DELETED


def list_local(workspace, model_name=None, model_id=None, all=None):
    ws = _workspace_key(workspace)
    names = [r["name"] for r in current().store.query("SELECT name, payload FROM services WHERE workspace=?", (ws,))
             if json.loads(r["payload"])["computeType"] == LocalWebservice._webservice_type]
    services = [LocalWebservice(workspace, name) for name in names]
    if model_name or model_id:
        services = [s for s in services if any(
            m["name"] == model_name or m["id"] == model_id
            for m in api_services.load(ws, s.name)[0].get("models", []))]
    return services


def patches():
    return [
        (LocalWebservice, "_deploy", staticmethod(_deploy)),
        (LocalWebservice, "__init__", __init__),
        (LocalWebservice, "update_deployment_state", update_deployment_state),
        (LocalWebservice, "wait_for_deployment", wait_for_deployment),
        (LocalWebservice, "run", run),
        (LocalWebservice, "get_logs", get_logs),
        (LocalWebservice, "delete", delete),
        (LocalWebservice, "list", staticmethod(list_local)),
    ]
