"""Microsoft's published flow, offline: register the pickled tutorial model and
tutorial-env, deploy to "ACI", score all 10,000 test images in one call, delete."""
import json
import shutil
from importlib.metadata import version

import joblib
import numpy as np
import pytest
from azureml.core import Environment, Model, Workspace
from azureml.core.conda_dependencies import CondaDependencies
from azureml.core.model import InferenceConfig
from azureml.core.webservice import AciWebservice, Webservice
from azureml.exceptions import WebserviceException
from sklearn.linear_model import LogisticRegression
from sklearn.multiclass import OneVsRestClassifier

from azureml_emulator.tools import housekeeping
from helpers import REPO, is_running


def test_published_flow_end_to_end(azureml_emulator, tmp_path, monkeypatch, mnist, capsys):
    monkeypatch.chdir(tmp_path)
    shutil.copy(REPO / "score.py", tmp_path / "score.py")
    clf = OneVsRestClassifier(LogisticRegression(C=2.0, solver="liblinear", random_state=42))
    clf.fit(mnist["X_train"], mnist["y_train"])
    joblib.dump(clf, "sklearn_mnist_model.pkl")

    ws = Workspace.from_config()
    Model.register(ws, model_path="sklearn_mnist_model.pkl", model_name="sklearn_mnist",
                   tags={"data": "mnist", "model": "classification"}, description="Mnist handwriting recognition")
    env = Environment("tutorial-env")
    env.python.conda_dependencies = CondaDependencies.create(
        python_version="3.11",
        pip_packages=["azureml-defaults"] + ["{}=={}".format(p, version(p))
                                             for p in ("scikit-learn", "numpy", "joblib", "msgspec", "pysimdjson")])
    env.register(workspace=ws)

    model = Model(ws, "sklearn_mnist")
    myenv = Environment.get(workspace=ws, name="tutorial-env", version="1")
    aciconfig = AciWebservice.deploy_configuration(cpu_cores=1, memory_gb=1, tags={"data": "MNIST"},
                                                   description="Predict MNIST with sklearn")
    service = Model.deploy(workspace=ws, name="sklearn-mnist-svc-e2e", models=[model],
                           inference_config=InferenceConfig(entry_script="score.py", environment=myenv),
                           deployment_config=aciconfig)
    service.wait_for_deployment(show_output=True)
    printed = capsys.readouterr().out
    assert "WARNING" not in printed   # the environment pins exactly what is installed

    test = bytes(json.dumps({"data": mnist["X_test"].tolist()}), encoding="utf8")
    y_hat = service.run(input_data=test)
    expected = joblib.load("sklearn_mnist_model.pkl").predict(mnist["X_test"]).tolist()
    assert y_hat == expected
    assert np.average(np.array(y_hat) == mnist["y_test"]) >= 0.90

    pid = housekeeping.list_services(azureml_emulator.store)[0]["pid"]
    service.delete()
    assert not is_running(pid)
    with pytest.raises(WebserviceException, match="WebserviceNotFound"):
        Webservice(ws, "sklearn-mnist-svc-e2e")
