"""AKS through the SDK: an AKS compute target (created or attached), and services deployed to
it that run on this machine with AKS's semantics: key or token auth, the scoring timeout,
replicas and autoscale settings recorded, Azure's error for a target that does not exist."""
import json
import shutil

import pytest
import requests
from azureml.core import Model
from azureml.core.compute import AksCompute, ComputeTarget
from azureml.core.model import InferenceConfig
from azureml.core.webservice import AksWebservice
from azureml.exceptions import WebserviceException

from helpers import SCRIPTS, as_json_body, service_environment


def deploy(lab, name, target, **config):
    shutil.copy(SCRIPTS / "introspect_score.py", lab.work / "introspect_score.py")
    service = Model.deploy(lab.ws, name, [lab.model],
                           InferenceConfig(entry_script="introspect_score.py", environment=service_environment()),
                           AksWebservice.deploy_configuration(**config), deployment_target=target)
    service.wait_for_deployment()
    return service


@pytest.fixture
def aks(lab):
    target = ComputeTarget.create(lab.ws, "aks-cluster", AksCompute.provisioning_configuration(agent_count=3))
    target.wait_for_completion()
    return target


def test_an_aks_target_is_an_aks_compute_that_runs_no_training(lab, aks):
    fetched = ComputeTarget(lab.ws, "aks-cluster")
    assert isinstance(fetched, AksCompute) and fetched.provisioning_state == "Succeeded"
    assert fetched.agent_count == 3 and "aks-cluster" in lab.ws.compute_targets
    from azureml.core import Experiment, ScriptRunConfig
    (lab.work / "job").mkdir()
    (lab.work / "job" / "train.py").write_text("print('hi')\n")
    with pytest.raises(Exception, match="is of type AKS, which does not run training jobs"):
        Experiment(lab.ws, "on-aks").submit(ScriptRunConfig(source_directory=str(lab.work / "job"), script="train.py",
                                                            compute_target=fetched, environment=service_environment()))
    attached = ComputeTarget.attach(lab.ws, "attached-aks", AksCompute.attach_configuration(
        resource_group="rg", cluster_name="existing"))
    attached.wait_for_completion()
    assert isinstance(ComputeTarget(lab.ws, "attached-aks"), AksCompute)


def test_token_auth_the_scoring_timeout_and_replicas(lab, aks, mnist):
    service = deploy(lab, "aks-token", aks, token_auth_enabled=True, auth_enabled=False, scoring_timeout_ms=2000,
                     num_replicas=2)
    assert service.state == "Healthy" and service.compute_type == "AKS" and service.compute_name == "aks-cluster"
    assert (service.num_replicas, service.scoring_timeout_ms, service.token_auth_enabled) == (2, 2000, True)
    assert service.autoscaler.autoscale_enabled is False
    token = service.get_access_token().access_token
    body = as_json_body(mnist["X_test"][:2])
    assert requests.post(service.scoring_uri, data=body).status_code == 401
    assert requests.post(service.scoring_uri, data=body, headers={"Authorization": "Bearer " + token}).status_code == 200
    assert len(service.run(body.decode())) == 2
    slow = requests.post(service.scoring_uri, json={"sleep": 4}, headers={"Authorization": "Bearer " + token})
    assert slow.status_code == 504
    with pytest.raises(WebserviceException, match="without key authentication"):
        service.get_keys()
    service.delete()


def test_key_auth_is_aks_default_and_autoscale_settings_are_recorded(lab, aks):
    service = deploy(lab, "aks-keys", aks, autoscale_enabled=True, autoscale_max_replicas=4)
    primary, secondary = service.get_keys()
    assert primary and secondary and service.auth_enabled
    assert requests.post(service.scoring_uri, json={"data": []}).status_code == 401
    assert (service.autoscaler.autoscale_enabled, service.autoscaler.max_replicas,
            service.autoscaler.min_replicas) == (True, 4, 1)
    with pytest.raises(WebserviceException, match="without token authentication"):
        service.get_access_token()
    service.delete()


def test_deploying_to_an_aks_target_that_is_gone_is_azures_not_found(lab, aks):
    aks.delete()
    with pytest.raises(WebserviceException, match="ComputeTargetNotFound"):
        deploy(lab, "aks-gone", aks)
