"""MLflow's model registry is the workspace's: a version MLflow registers is a workspace model
that `Model(ws, name)` finds, downloads and deploys, and one the SDK registered is an MLflow
version; run artifacts download through azureml-mlflow; registering fails where Azure fails
(MLflow 3 resolving a run's model folder through the logged-models API Azure lacks)."""
import json
import shutil

import mlflow
import numpy as np
import pytest
from azureml.core import Environment, Model
from azureml.core.conda_dependencies import CondaDependencies
from azureml.core.model import InferenceConfig
from azureml.core.webservice import AciWebservice
from mlflow.exceptions import MlflowException
from sklearn.linear_model import LogisticRegression

from helpers import job_log, service_environment_with, submit_script

X = np.random.RandomState(0).rand(60, 3)
Y = (X[:, 0] + X[:, 1] > 1).astype(int)


@pytest.fixture
def tracking(ws):
    mlflow.set_tracking_uri(ws.get_mlflow_tracking_uri())
    yield ws
    mlflow.set_tracking_uri(None)


def saved_model(folder):
    model = LogisticRegression().fit(X, Y)
    shutil.rmtree(folder, ignore_errors=True)
    # Requirements given, not inferred: MLflow infers them by importing the model in a process of its
    # own (about 10 s of CPU a model), which no test here is about.
    mlflow.sklearn.save_model(model, str(folder), serialization_format="pickle", pip_requirements=["scikit-learn"])
    return model


def run_with_model(tmp_path, experiment="registry"):
    """An MLflow run whose artifacts hold a note and an MLflow model in ``model/``."""
    mlflow.set_experiment(experiment)
    model = saved_model(tmp_path / "saved")
    with mlflow.start_run() as run:
        (tmp_path / "note.txt").write_text("written by the run")
        mlflow.log_artifact(str(tmp_path / "note.txt"))
        mlflow.log_artifacts(str(tmp_path / "saved"), artifact_path="model")
    return run.info.run_id, model


def test_run_artifacts_download_through_azureml_mlflow(tracking, tmp_path):
    run_id, _ = run_with_model(tmp_path)
    note = mlflow.artifacts.download_artifacts(run_id=run_id, artifact_path="note.txt", dst_path=str(tmp_path / "a"))
    assert open(note).read() == "written by the run"
    folder = mlflow.artifacts.download_artifacts(run_id=run_id, artifact_path="model", dst_path=str(tmp_path / "b"))
    assert sorted(p.name for p in (tmp_path / "b" / "model").iterdir()) == sorted(
        p.name for p in (tmp_path / "saved").iterdir())
    assert (tmp_path / "b" / "model" / "model.pkl").read_bytes() == (tmp_path / "saved" / "model.pkl").read_bytes()
    assert folder.rstrip("/").endswith("model")


def test_mlflow_3_registering_a_runs_model_folder_fails_as_on_azure(tracking, tmp_path):
    """MLflow 3 sees no MLmodel at the run's top level (azureml-mlflow lists it as model/MLmodel)
    and asks the logged-models API, which Azure ML does not have."""
    run_id, _ = run_with_model(tmp_path)
    with pytest.raises(MlflowException) as caught:
        mlflow.register_model("runs:/{}/model".format(run_id), "from-runs-uri")
    assert caught.value.message == ("API request to endpoint /api/2.0/mlflow/logged-models/search failed with error "
                                    "code 404 != 200. Response body: ''")
    assert mlflow.MlflowClient().get_registered_model("from-runs-uri").latest_versions == []


def test_a_version_made_from_a_runs_artifacts_is_a_workspace_model(tracking, tmp_path):
    ws = tracking
    run_id, model = run_with_model(tmp_path)
    client = mlflow.MlflowClient()
    version = client.create_model_version("mlflow-registered", "runs:/{}/model".format(run_id), run_id,
                                          tags={"stage": "candidate"}, description="from a run")
    assert (version.version, version.status, version.run_id) == ("1", "READY", run_id)
    registered = Model(ws, "mlflow-registered")
    assert (registered.version, registered.run_id, registered.description) == (1, run_id, "from a run")
    assert registered.tags == {"stage": "candidate"}
    assert registered.properties == {"mlflow.modelSourceUri": "runs:/{}/model".format(run_id)}
    target = tmp_path / "downloaded"
    registered.download(str(target))
    assert (target / "model" / "MLmodel").is_file()
    loaded = mlflow.pyfunc.load_model("models:/mlflow-registered/1")
    assert loaded.predict(X).tolist() == model.predict(X).tolist()


def test_the_sdk_and_mlflow_number_versions_of_one_registry(tracking, tmp_path):
    ws = tracking
    run_id, _ = run_with_model(tmp_path)
    (tmp_path / "weights.bin").write_bytes(b"\x00\x01")
    Model.register(ws, model_path=str(tmp_path / "weights.bin"), model_name="shared-name")
    client = mlflow.MlflowClient()
    made = client.create_model_version("shared-name", client.get_run(run_id).info.artifact_uri + "/model", run_id)
    assert made.version == "2"
    assert [m.version for m in Model.list(ws, name="shared-name")] == [2, 1]
    assert [v.version for v in client.search_model_versions("name='shared-name'")] == ["2", "1"]
    assert [v.version for v in client.get_latest_versions("shared-name")] == ["2"]
    by_sdk = client.get_model_version("shared-name", "1")
    assert by_sdk.source.startswith("azureml://artifacts/LocalUpload/") and by_sdk.source.endswith("/weights.bin")
    assert [m.name for m in client.search_registered_models("name = 'shared-name'")] == ["shared-name"]
    assert client.search_registered_models("name = 'nothing'") == []
    assert [v.version for v in client.search_model_versions("run_id = '{}'".format(run_id))] == ["2"]


def test_a_local_mlflow_model_folder_is_uploaded_and_registered(tracking, tmp_path):
    ws = tracking
    model = saved_model(tmp_path / "local-model")
    version = mlflow.register_model("file://{}".format(tmp_path / "local-model"), "local-mlflow")
    assert version.version == "1" and version.source.startswith("azureml://artifacts/LocalUpload/")
    registered = Model(ws, "local-mlflow")
    registered.download(str(tmp_path / "back"))
    assert (tmp_path / "back" / "local-model" / "model.pkl").read_bytes() == \
        (tmp_path / "local-model" / "model.pkl").read_bytes()
    assert mlflow.pyfunc.load_model("models:/local-mlflow/1").predict(X).tolist() == model.predict(X).tolist()


def test_registry_refusals_say_what_is_wrong(tracking, tmp_path):
    run_id, _ = run_with_model(tmp_path)
    client = mlflow.MlflowClient()
    client.create_registered_model("only-once")
    with pytest.raises(MlflowException) as twice:
        client.create_registered_model("only-once")
    assert twice.value.error_code == "RESOURCE_ALREADY_EXISTS"
    assert "Registered Model (name=only-once) already exists." in twice.value.message
    with pytest.raises(MlflowException) as missing:
        client.get_registered_model("never-made")
    assert missing.value.error_code == "RESOURCE_DOES_NOT_EXIST"
    with pytest.raises(MlflowException) as elsewhere:
        client.create_model_version("only-once", "s3://bucket/model", None)
    assert "registers model versions from a run's artifacts" in elsewhere.value.message
    assert "got source 's3://bucket/model'" in elsewhere.value.message and "file:///path" in elsewhere.value.message
    with pytest.raises(MlflowException) as empty:
        client.create_model_version("only-once", "runs:/{}/no-such-folder".format(run_id), run_id)
    assert "No artifacts found under runs:/{}/no-such-folder".format(run_id) in empty.value.message
    with pytest.raises(MlflowException) as unknown_run:
        client.create_model_version("only-once", "runs:/no-such-run/model", None)
    assert unknown_run.value.error_code == "RESOURCE_DOES_NOT_EXIST"
    for refused in ("name LIKE 'only-%'", "name ILIKE 'ONLY%'", "tags.team = 'vision'"):
        with pytest.raises(MlflowException) as search:
            client.search_registered_models(refused)
        assert search.value.error_code == "INVALID_PARAMETER_VALUE"
        assert ("Azure Machine Learning's MLflow model registry searches with name = '...' only (LIKE, ILIKE and "
                "tag filters are not supported)") in search.value.message
    with pytest.raises(MlflowException) as versions:
        client.search_model_versions("creation_timestamp > 0")
    assert "searches with name = '...' and run_id = '...' only" in versions.value.message
    for version in ("2x", "99999999999999999999999"):
        with pytest.raises(MlflowException) as bad:
            client.get_model_version("only-once", version)
        assert bad.value.error_code == "INVALID_PARAMETER_VALUE"
    with pytest.raises(MlflowException) as bad_name:
        client.create_registered_model("not/a:name")
    assert "Model name 'not/a:name' is invalid" in bad_name.value.message
    assert client.get_registered_model("only-once").latest_versions == []
    with pytest.raises(MlflowException) as whole:
        client.delete_registered_model("only-once")   # Azure ML does not delete a model's container
    assert "not emulated by azureml_emulator" in whole.value.message


def test_versions_move_through_stages_and_keep_their_tags_and_descriptions(tracking, tmp_path):
    ws = tracking
    run_id, model = run_with_model(tmp_path)
    client = mlflow.MlflowClient()
    source = "runs:/{}/model".format(run_id)
    for _ in range(3):
        client.create_model_version("staged", source, run_id)
    client.transition_model_version_stage("staged", "1", "Production")
    client.transition_model_version_stage("staged", "2", "Staging")
    moved = client.transition_model_version_stage("staged", "3", "Production", archive_existing_versions=True)
    assert moved.current_stage == "Production"
    assert [client.get_model_version("staged", v).current_stage for v in "123"] == ["Archived", "Staging",
                                                                                   "Production"]
    assert [(v.version, v.current_stage) for v in client.get_latest_versions("staged", stages=["Production"])] == [
        ("3", "Production")]
    assert [v.version for v in client.get_latest_versions("staged", stages=["None"])] == []
    assert mlflow.pyfunc.load_model("models:/staged/Staging").predict(X).tolist() == model.predict(X).tolist()
    client.set_model_version_tag("staged", "3", "approved", 0)
    client.set_model_version_tag("staged", "3", "owner", "vision")
    client.delete_model_version_tag("staged", "3", "owner")
    client.update_model_version("staged", "3", description="the one in production")
    third = Model(ws, "staged", version=3)
    assert third.tags == {"approved": "0"} and third.description == "the one in production"
    client.update_registered_model("staged", description="three versions")
    registered = client.get_registered_model("staged")
    assert registered.description == "three versions"
    assert registered.creation_timestamp <= int(client.get_model_version("staged", "1").creation_timestamp)
    client.delete_model_version("staged", "1")
    assert [m.version for m in Model.list(ws, name="staged")] == [3, 2]
    with pytest.raises(MlflowException) as gone:
        client.get_model_version("staged", "1")
    assert gone.value.error_code == "RESOURCE_DOES_NOT_EXIST"
    assert len(client.search_model_versions("name = 'staged'", max_results=1)) == 1


SCORE = """import json, os
import mlflow.pyfunc
import numpy as np

def init():
    global model
    model = mlflow.pyfunc.load_model(os.path.join(os.environ["AZUREML_MODEL_DIR"], "model"))

def run(raw_data):
    return model.predict(np.array(json.loads(raw_data)["data"])).tolist()
"""

TRAIN = """import mlflow
import numpy as np
from sklearn.linear_model import LogisticRegression

mlflow.autolog()
X = np.random.RandomState(0).rand(60, 3)
y = (X[:, 0] + X[:, 1] > 1).astype(int)
with mlflow.start_run() as run:   # in a job: the submitted run
    LogisticRegression(C=0.5).fit(X, y)
print("registered version", mlflow.register_model("runs:/{}/model".format(run.info.run_id), "autologged").version)
"""


def test_autolog_in_a_job_then_register_model_from_the_run_and_deploy_it(cluster):
    """The documented SDK v1 flow with the MLflow Azure's examples pin (2.16.2, before the
    logged-models API): autolog logs the parameters, metrics and the model into the submitted
    run; register_model("runs:/<id>/model") makes the workspace model; the SDK deploys it."""
    from importlib.metadata import version
    environment = Environment("mlflow-2-training")
    environment.python.conda_dependencies = CondaDependencies.create(python_version="3.11", pip_packages=[
        "mlflow-skinny==2.16.2", "azureml-mlflow=={}".format(version("azureml-mlflow")),
        "scikit-learn=={}".format(version("scikit-learn")), "numpy=={}".format(version("numpy")),
        "pandas=={}".format(version("pandas")), "cloudpickle"])
    run = submit_script(cluster, TRAIN, environment=environment)
    run.wait_for_completion(show_output=False)
    assert run.get_status() == "Completed", job_log(run)
    assert "registered version 1" in job_log(run)
    metrics = run.get_metrics()
    assert 0.9 <= metrics["training_accuracy_score"] <= 1 and "training_f1_score" in metrics
    assert "model/MLmodel" in run.get_file_names()
    registered = Model(cluster.ws, "autologged")
    assert (registered.version, registered.run_id) == (1, run.id)
    (cluster.work / "score.py").write_text(SCORE)
    service = Model.deploy(cluster.ws, "mlflow-served", [registered], InferenceConfig(
        entry_script="score.py", environment=service_environment_with("mlflow-skinny", "cloudpickle", "pandas")),
        AciWebservice.deploy_configuration(cpu_cores=1, memory_gb=1))
    service.wait_for_deployment(show_output=True)
    expected = LogisticRegression(C=0.5).fit(X, Y).predict(X[:10]).tolist()
    answer = service.run(json.dumps({"data": X[:10].tolist()}))
    assert answer == expected, service.get_logs()[-3000:]
    service.delete()


SUFFIX = """
import sys
{first}
import azureml_emulator
with azureml_emulator.emulate(home=sys.argv[1]):
    import azureml.mlflow._common._cloud.cloud as cloud
    print(cloud.AZURE_PUBLIC_CLOUD.suffixes.storage_endpoint)
print(cloud.AZURE_PUBLIC_CLOUD.suffixes.storage_endpoint)
"""


def test_azureml_mlflow_names_the_emulators_storage_only_while_it_is_active(tmp_path):
    """Whether azureml-mlflow was imported before the emulator was switched on or after."""
    import subprocess
    import sys
    for first in ("", "import azureml.mlflow._common._cloud.cloud"):
        done = subprocess.run([sys.executable, "-c", SUFFIX.format(first=first), str(tmp_path / "home")],
                              capture_output=True, text=True, check=True)
        assert done.stdout.split()[-2:] == ["azureml-emulator.invalid", "core.windows.net"], done.stderr
