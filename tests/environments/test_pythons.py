"""Every Python an Environment names or defaults to, 3.6 to 3.13: a web service in the SDK's
default Environment for that Python answers, and a job in it runs and logs a metric, with the
inference server, gunicorn and azureml-core that Python resolves to (Python 3.8's is the SDK's
own default: azureml-inference-server-http 1.3.4 and gunicorn 23). Builds are cached, so a warm
run costs a deployment and a job per Python."""
import json
import subprocess

import pytest
from azureml.core import Environment, Model, ScriptRunConfig
from azureml.core.model import InferenceConfig
from azureml.core.webservice import AciWebservice
from azureml.exceptions import WebserviceException

from azureml_emulator.environments import interpreters

PYTHONS = ["3.6", "3.7", "3.8", "3.9", "3.10", "3.11", "3.12", "3.13"]
ONE_LINE_SCORE = "import sys\ndef init(): pass\ndef run(raw_data): return {'python': '%d.%d' % sys.version_info[:2]}\n"
# azureml-core 1.61 imports imghdr, which Python 3.13 removed: Run.get_context() fails there, on
# Azure as here, and the job fails with the script's traceback.
AZUREML_CORE_FAILS = {"3.13": "ModuleNotFoundError: No module named 'imghdr'"}
LOGGING_JOB = ("import sys\nfrom azureml.core import Run\n"
               "Run.get_context().log('python', '%d.%d' % sys.version_info[:2])\n")


def sdk_default_environment(name, python):
    """``Environment(name)`` as the SDK makes it (Python 3.8.13 and azureml-defaults), with its
    Python set to ``python`` as a sample that names one does."""
    env = Environment(name)
    if python != "3.8":
        env.python.conda_dependencies.set_python_version(python)
    return env


def need(python):
    if interpreters.find(python) is None:   # every developer's and CI's machine has 3.6 to 3.13
        pytest.skip("this machine has no Python {}".format(python))


@pytest.mark.parametrize("python", PYTHONS)
def test_a_web_service_in_the_sdks_default_environment_answers_in_each_python(lab, python):
    need(python)
    (lab.work / "score.py").write_text(ONE_LINE_SCORE)
    service = Model.deploy(lab.ws, "py" + python.replace(".", ""), [lab.model],
                           InferenceConfig(entry_script="score.py",
                                           environment=sdk_default_environment("env-py" + python, python)),
                           AciWebservice.deploy_configuration(cpu_cores=1, memory_gb=1))
    service.wait_for_deployment(show_output=True)
    assert service.state == "Healthy", service.get_logs()
    assert service.run(json.dumps({"data": []})) == {"python": python}
    service.delete()


@pytest.mark.parametrize("python", PYTHONS)
def test_a_job_in_the_sdks_default_environment_logs_a_metric_in_each_python(cluster, python):
    need(python)
    folder = cluster.work / "job"
    folder.mkdir()
    (folder / "train.py").write_text(LOGGING_JOB)
    run = cluster.experiment.submit(ScriptRunConfig(
        source_directory=str(folder), script="train.py", compute_target=cluster.target,
        environment=sdk_default_environment("job-py" + python, python)))
    run.wait_for_completion(show_output=True, raise_on_error=False)
    if python in AZUREML_CORE_FAILS:
        assert run.get_status() == "Failed"
        assert AZUREML_CORE_FAILS[python] in run.get_details()["error"]["error"]["message"]
        return
    assert run.get_status() == "Completed", run.get_details()
    assert run.get_metrics()["python"] == python


def test_python_2_is_refused_before_building_naming_the_python(lab, cluster):
    env = Environment("python-two")
    env.python.conda_dependencies.set_python_version("2.7")
    (lab.work / "score.py").write_text(ONE_LINE_SCORE)
    service = Model.deploy(lab.ws, "python-two", [lab.model], InferenceConfig(entry_script="score.py", environment=env),
                           AciWebservice.deploy_configuration(cpu_cores=1, memory_gb=1))
    with pytest.raises(WebserviceException) as caught:
        service.wait_for_deployment(show_output=True)
    assert service.state == "Failed"
    assert "Environment python-two pins Python 2.7" in caught.value.message
    folder = cluster.work / "py2"
    folder.mkdir()
    (folder / "train.py").write_text("print('never runs')\n")
    run = cluster.experiment.submit(ScriptRunConfig(source_directory=str(folder), script="train.py",
                                                    compute_target=cluster.target, environment=env))
    run.wait_for_completion(raise_on_error=False)
    assert run.get_status() == "Failed"
    message = run.get_details()["error"]["error"]["message"]
    assert "not emulated by azureml_emulator: Environment python-two:" in message and "pins Python 2.7" in message
    assert "never runs" not in json.dumps(run.get_details_with_logs()["logFiles"])


def test_what_a_service_or_job_process_imports_of_the_emulator_loads_in_every_python(tmp_path):
    """The emulator's side modules, copied beside a process as a service or job gets them, import
    in each Python such a process may run in (the inference server's app is compiled only: a bare
    Python has no inference server to import)."""
    from azureml_emulator.execution import isolation, job_command, job_contract, service_contract
    from azureml_emulator.pipelines import parallel
    root = isolation.side_code(tmp_path, isolation.side_modules(service_contract.ENTRY_MODULES + (
        job_contract.ENTRY_MODULE, parallel.DRIVER_MODULE, job_command.RUNTIME_MODULE)))
    check = ("import azureml_emulator.execution.service_process, azureml_emulator.execution.job_runtime\n"
             "import azureml_emulator.execution.parallel_run, azureml_emulator.execution.command_runtime\n"
             "compile(open(sys.argv[1]).read(), sys.argv[1], 'exec')")
    checked = []
    for python in PYTHONS:
        found = interpreters.find(python)
        if found is None:
            continue
        done = subprocess.run([found[0], "-c", "import sys\n" + check,
                               str(root / "azureml_emulator" / "execution" / "service_app.py")],
                              env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"}, capture_output=True, text=True)
        assert done.returncode == 0, "Python {}: {}".format(python, done.stderr)
        checked.append(python)
    assert checked, "no Python from 3.6 to 3.13 on this machine"


def test_packages_added_to_the_sdks_default_environment_keep_azureml_defaults_current_as_pip_does(lab):
    """Environment() (Python 3.8) with the packages a sample adds: pip takes azureml-defaults 1.60 with
    its inference server and NumPy below 1.24; uv alone kept NumPy 1.24 and fell back to
    azureml-defaults 1.14, which has no inference server, so the service could not start."""
    need("3.8")
    env = Environment("defaults-plus")
    for package in ("scikit-learn", "joblib", "inference-schema[numpy-support]"):
        env.python.conda_dependencies.add_pip_package(package)
    (lab.work / "score.py").write_text(
        "import azureml.core, sklearn\ndef init(): pass\n"
        "def run(raw_data): return {'azureml-core': azureml.core.VERSION, 'sklearn': sklearn.__version__}\n")
    service = Model.deploy(lab.ws, "defaults-plus", [lab.model],
                           InferenceConfig(entry_script="score.py", environment=env),
                           AciWebservice.deploy_configuration(cpu_cores=1, memory_gb=1))
    service.wait_for_deployment(show_output=True)
    versions = service.run(json.dumps({"data": []}))
    assert tuple(int(part) for part in versions["azureml-core"].split(".")[:2]) >= (1, 60), versions
    service.delete()


def test_a_python_3_9_job_with_azureml_defaults_and_scikit_learn_gets_a_current_azureml_core(cluster):
    """CondaDependencies.create(python_version="3.9", pip_packages=["azureml-defaults"],
    conda_packages=["scikit-learn"]): pip takes azureml-core 1.61 (NumPy below 2); uv alone took
    NumPy 2 and azureml-core 1.36, whose Run.get_context() fails on NumPy 2."""
    need("3.9")
    from azureml.core.conda_dependencies import CondaDependencies
    env = Environment("py39-sklearn")
    env.python.conda_dependencies = CondaDependencies.create(
        python_version="3.9", pip_packages=["azureml-defaults"], conda_packages=["scikit-learn"])
    folder = cluster.work / "job39"
    folder.mkdir()
    (folder / "train.py").write_text(LOGGING_JOB)
    run = cluster.experiment.submit(ScriptRunConfig(source_directory=str(folder), script="train.py",
                                                    compute_target=cluster.target, environment=env))
    run.wait_for_completion(show_output=True, raise_on_error=False)
    assert run.get_status() == "Completed", run.get_details().get("error")
    assert run.get_metrics()["python"] == "3.9"
