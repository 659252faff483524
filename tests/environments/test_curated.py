"""Azure's curated environments are prebuilt images there, which never fail to build: each one
a workspace lists builds here (a package without a wheel for its Python, such as psutil 5.8 in
AzureML-sklearn-1.5, from source, as pip built the image) and runs a job and a web service."""
import json

import pytest
from azureml.core import Environment, Model
from azureml.core.model import InferenceConfig
from azureml.core.webservice import AciWebservice

from azureml_emulator.environments import curated
from helpers import job_log, submit_script

CURATED = sorted(curated.DEFINITIONS)
REPORT_SCRIPT = ("import json, platform\nfrom importlib import metadata\n"
                 "print('REPORT', json.dumps({'python': platform.python_version(), 'psutil': metadata.version('psutil')"
                 " if any(d.metadata['Name'] == 'psutil' for d in metadata.distributions()) else None}))\n")
SCORE = "import platform\ndef init(): pass\ndef run(raw_data): return {'python': platform.python_version()}\n"


@pytest.mark.parametrize("name", CURATED)
def test_each_curated_environment_builds_and_runs_a_job(cluster, name):
    environment = Environment.get(cluster.ws, name)
    run = submit_script(cluster, REPORT_SCRIPT, environment=environment)
    run.wait_for_completion(show_output=True)
    assert run.get_status() == "Completed"
    report = json.loads(job_log(run).split("REPORT ", 1)[1].splitlines()[0])
    python = environment.python.conda_dependencies.get_python_version()
    assert report["python"].startswith(python + ".")
    pinned = [p for p in environment.python.conda_dependencies.pip_packages if p.startswith("psutil")]
    if pinned:   # the image holds the version its definition pins, built from source where need be
        assert report["psutil"].startswith(pinned[0].split("~=")[1].rsplit(".", 1)[0] + ".")


@pytest.mark.parametrize("name", CURATED)
def test_each_curated_environment_serves_a_web_service(lab, name):
    (lab.work / "score.py").write_text(SCORE)
    environment = Environment.get(lab.ws, name)
    service = Model.deploy(lab.ws, "curated-" + str(CURATED.index(name)), [lab.model],
                           InferenceConfig(entry_script="score.py", environment=environment),
                           AciWebservice.deploy_configuration(cpu_cores=1, memory_gb=1))
    service.wait_for_deployment(show_output=True)
    python = environment.python.conda_dependencies.get_python_version()
    assert service.run(json.dumps({"data": []}))["python"].startswith(python + ".")
    service.delete()
