"""LocalWebservice without Docker: `LocalWebservice.deploy_configuration(port=...)`
deployments run in the same local inference server as ACI ones.

The SDK's LocalWebservice drives a Docker container directly (no Model Management
Service), so here its container-facing methods are replaced and call the web service
backend; the class, its deploy configuration and its validation stay the SDK's.
"""
from __future__ import annotations

import datetime
import os
from typing import Any, Callable

import requests
from azureml.core.environment import Environment
from azureml.core.model import InferenceConfig, Model
from azureml.core.webservice.local import LocalWebservice, LocalWebserviceDeploymentConfiguration
from azureml.exceptions import WebserviceException

from azureml_emulator.context import current
from azureml_emulator.ids import WorkspaceKey
from azureml_emulator.webservices import backend, deployment, repository, states
from azureml_emulator.webservices.records import HEALTHY, TRANSITIONING

STATE_BY_SERVICE_STATE = {TRANSITIONING: LocalWebservice.STATE_DEPLOYING, HEALTHY: LocalWebservice.STATE_RUNNING}


LOCAL_SOURCE = "emulatorLocalSource"   # where reload() reads the entry script again


def _check(deployment_config: Any, inference_config: Any, image_config: Any = None) -> None:
    if image_config is not None:
        raise WebserviceException("azureml_emulator deploys LocalWebservice from an InferenceConfig only; "
                                  "ContainerImageConfig (image_config) is not emulated.")
    if deployment_config is not None and not isinstance(deployment_config, LocalWebserviceDeploymentConfiguration):
        raise WebserviceException('Error, provided deployment configuration must be of type '
                                  'LocalWebserviceDeploymentConfiguration in order to deploy a local service.')
    if inference_config is not None and not isinstance(inference_config, InferenceConfig):
        raise WebserviceException('Error, provided inference configuration must be of type InferenceConfig '
                                  'in order to deploy a local service.')


def _with_environment(name: str, inference_config: Any) -> Any:
    """An inference configuration of the older kind (``runtime``, ``conda_file``,
    ``extra_docker_file_steps``), as an Environment: the SDK's own conversion, or, where the SDK
    would build a Docker image instead (extra Dockerfile steps, a base image with GPU settings),
    the conda file's environment, saying once that the Docker parts are ignored."""
    if inference_config.environment is not None:
        return inference_config
    from azureml._model_management._util import convert_parts_to_environment
    converted, _ = convert_parts_to_environment(name, inference_config)
    if converted.environment is not None or not inference_config.conda_file:
        return converted
    folder = inference_config.source_directory
    conda_path = os.path.join(folder, inference_config.conda_file) if folder else inference_config.conda_file
    print("azureml_emulator: the emulator has no Docker, so the service runs in a build of {} and its Docker "
          "settings (extra_docker_file_steps, base_image, GPU) are ignored.".format(inference_config.conda_file))
    return InferenceConfig(entry_script=inference_config.entry_script, source_directory=folder,
                           description=inference_config.description,
                           environment=Environment.from_conda_specification("{}-env".format(name), conda_path))


def _start(workspace: Any, name: str, model_ids: list[str], inference_config: Any, port: Any,
           environment: dict | None = None) -> None:
    """(Re)deploy the local service from the entry script and source folder as they are now on disk."""
    inference_config = _with_environment(name, inference_config)
    image_request = inference_config._build_environment_image_request(workspace, model_ids)
    if environment is not None:   # reload(): the same dependencies, not a rebuild
        image_request["environment"] = environment
    folder = inference_config.source_directory
    image_request[LOCAL_SOURCE] = {
        "entryScript": inference_config.entry_script if folder else os.path.abspath(inference_config.entry_script),
        "sourceDirectory": os.path.abspath(folder) if folder else None}
    request = {"name": name, "computeType": LocalWebservice._webservice_type, "environmentImageRequest": image_request}
    backend.deploy(current().store, WorkspaceKey.of(workspace), request, port=port,
                   environments=current().environments)


def _deploy(workspace: Any, name: str, models: list, image_config: Any = None, deployment_config: Any = None,
            wait: bool = False, inference_config: Any = None) -> LocalWebservice:
    deployment_config = deployment_config or LocalWebservice.deploy_configuration()
    _check(deployment_config, inference_config, image_config)
    if inference_config is None:
        raise WebserviceException('Error, provided inference configuration must be of type InferenceConfig '
                                  'in order to deploy a local service.')
    _check_port(workspace, name, deployment_config.port)
    _start(workspace, name, [m.id for m in models], inference_config, deployment_config.port)
    service = LocalWebservice(workspace, name)
    if wait:
        service.wait_for_deployment()
    return service


def _check_port(workspace: Any, name: str, port: Any) -> None:
    """A port asked for must be free (Docker refuses to publish a port in use), unless the
    service being replaced holds it."""
    if not port:
        return
    store = current().store
    existing = repository.load(store, WorkspaceKey.of(workspace), name)
    if existing is not None and existing.process is not None and existing.process.port == int(port):
        return
    if not deployment.port_is_free(int(port)):
        raise WebserviceException("Error starting local webservice {}: port {} is already in use on 127.0.0.1. "
                                  "Choose another port (LocalWebservice.deploy_configuration(port=...)) or stop "
                                  "what is listening on it.".format(name, port))


def _stored_inference_config(request: dict) -> InferenceConfig:
    """The inference configuration a local service was deployed with (reload, update, deploy_to_cloud)."""
    source = request.get(LOCAL_SOURCE) or {}
    return InferenceConfig(entry_script=source.get("entryScript"), source_directory=source.get("sourceDirectory"),
                           environment=Environment._deserialize_and_add_to_object(request["environment"])
                           if request.get("environment") else None)


def _current_request(self: Any) -> dict:
    return backend.get(current().store, WorkspaceKey.of(self.workspace), self.name).payload["environmentImageRequest"]


def update(self: Any, models: Any = None, image_config: Any = None, deployment_config: Any = None,
           wait: bool = False, inference_config: Any = None) -> None:
    """Redeploy with the given models, inference configuration or port; what is None stays."""
    _check(deployment_config, inference_config, image_config)
    request = _current_request(self)
    model_ids = [m.id for m in models] if models is not None else request.get("modelIds", [])
    environment = None
    if inference_config is None:
        environment = request.get("environment")
        inference_config = _stored_inference_config(request)
    port = deployment_config.port if deployment_config is not None and deployment_config.port else self._port
    _start(self.workspace, self.name, model_ids, inference_config, port, environment=environment)
    self.update_deployment_state(must_exist=True)
    if wait:
        self.wait_for_deployment()


def reload(self: Any, wait: bool = False) -> None:
    """Restart the service with the entry script and source folder as they are now (the
    Environment is not rebuilt), on the same port, as the SDK's container reload does:
    an update that changes nothing else."""
    update(self, wait=wait)


def __init__(self: Any, workspace: Any, name: str, must_exist: bool = True) -> None:
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


def update_deployment_state(self: Any, must_exist: bool = False, wait_seconds: float = 0) -> None:
    service = states.settle(current().store, WorkspaceKey.of(self.workspace), self.name, wait_seconds)
    if service is None:
        if must_exist:
            raise WebserviceException("WebserviceNotFound: Local webservice {} not found.".format(self.name))
        self.state = LocalWebservice.STATE_UNKNOWN
        return
    self.state = STATE_BY_SERVICE_STATE.get(service.state, LocalWebservice.STATE_FAILED)
    self.error = service.payload.get("error")
    self._process = service.process
    self._port = service.process.port if service.process else None
    self._base_url = "http://127.0.0.1:{}".format(self._port) if self._port else None


def wait_for_deployment(self: Any, show_output: bool = False) -> None:
    self.update_deployment_state(must_exist=True, wait_seconds=backend.POLL_WAIT_SECONDS)
    if self.state != LocalWebservice.STATE_RUNNING:
        self.state = LocalWebservice.STATE_FAILED
        raise WebserviceException("Error: Local webservice {} failed to start (its server exited or never became "
                                  "healthy). Did your init method fail?\n{}\nCall get_logs() for the full log."
                                  .format(self.name, (self.error or {}).get("message", "")))
    print("Local webservice is {} at {}".format(self.state, self._base_url))


def run(self: Any, input_data: Any) -> Any:
    self.update_deployment_state(must_exist=True)
    if self.state == LocalWebservice.STATE_DEPLOYING:
        self.wait_for_deployment()
    if self.state != LocalWebservice.STATE_RUNNING:
        raise WebserviceException("Local webservice {} is {}, not Running: call get_logs() to see why.\n{}"
                                  .format(self.name, self.state, (self.error or {}).get("message", "")))
    response = requests.post(self.scoring_uri, data=input_data, headers={"Content-Type": "application/json"})
    if response.status_code != 200:
        raise WebserviceException("Received bad response from service:\nResponse Code: {}\nHeaders: {}\n"
                                  "Content: {!r}".format(response.status_code, response.headers, response.content))
    return response.json()


def get_logs(self: Any, num_lines: int = 5000, raw: bool = False) -> str:
    return deployment.log_tail(getattr(self, "_process", None), num_lines)


def delete(self: Any, delete_cache: bool = True, delete_image: bool = False, delete_volume: bool = True) -> None:
    backend.delete(current().store, WorkspaceKey.of(self.workspace), self.name)
    self.state = LocalWebservice.STATE_DELETED


def list_local(workspace: Any, model_name: str | None = None, model_id: str | None = None,
               all: Any = None) -> list:
    services = [s for s in backend.list_services(current().store, WorkspaceKey.of(workspace),
                                                 compute_type=LocalWebservice._webservice_type)
                if not (model_name or model_id) or any(
                    m["name"] == model_name or m["id"] == model_id for m in s.payload.get("models", []))]
    return [LocalWebservice(workspace, service.name) for service in services]


def make_deploy_to_cloud(original: Callable[..., Any]) -> Callable[..., Any]:
    def deploy_to_cloud(self: Any, name: str | None = None, deployment_config: Any = None,
                        deployment_target: Any = None) -> Any:
        """The SDK's own deploy_to_cloud, given what it deploys: this service's registered models
        and inference configuration (read here, not at every state refresh)."""
        request = _current_request(self)
        self._models_local = []
        try:
            self._models_remote = [Model(self.workspace, id=model_id) for model_id in request.get("modelIds", [])]
            self._inference_config = _stored_inference_config(request)
            self._deployable = True
        except (WebserviceException, KeyError):   # a model deleted since: as the SDK says, not deployable
            self._deployable = False
        return original(self, name=name, deployment_config=deployment_config, deployment_target=deployment_target)
    return deploy_to_cloud


def patches() -> list[tuple[Any, str, Any]]:
    return [
        (LocalWebservice, "_deploy", staticmethod(_deploy)),
        (LocalWebservice, "__init__", __init__),
        (LocalWebservice, "update_deployment_state", update_deployment_state),
        (LocalWebservice, "wait_for_deployment", wait_for_deployment),
        (LocalWebservice, "run", run),
        (LocalWebservice, "get_logs", get_logs),
        (LocalWebservice, "delete", delete),
        (LocalWebservice, "reload", reload),
        (LocalWebservice, "update", update),
        (LocalWebservice, "list", staticmethod(list_local)),
        (LocalWebservice, "deploy_to_cloud", make_deploy_to_cloud(LocalWebservice.deploy_to_cloud)),
    ]
