"""The pytest plugin: a test session stops the services it deployed, even the ones its
tests left running, and leaves older services of the same home alone."""
import os
import shutil
import subprocess
import sys
import textwrap

from azureml_emulator import emulate
from azureml_emulator.tools import housekeeping
from helpers import REPO, SCRIPTS, is_running, save_model, service_environment

LEAVES_A_SERVICE = textwrap.dedent("""
    from azureml.core import Model, Workspace
    from azureml.core.model import InferenceConfig
    from azureml.core.webservice import AciWebservice
    from azureml_emulator import emulate
    from helpers import service_environment

    def test_deploys_and_forgets(tmp_path):
        with emulate(home={home!r}):
            ws = Workspace.from_config()
            model = Model.register(ws, model_path="sklearn_mnist_model.pkl", model_name="left-behind")
            service = Model.deploy(ws, "{name}", [model],
                                   InferenceConfig(entry_script="score.py", environment=service_environment()),
                                   AciWebservice.deploy_configuration(cpu_cores=1, memory_gb=1))
            service.wait_for_deployment()
""")


def run_session(folder, home, name):
    (folder / "test_leaves.py").write_text(LEAVES_A_SERVICE.format(home=str(home), name=name))
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(REPO), str(REPO / "tests")]))
    env.pop("AZUREML_EMULATOR_HOME", None)
    subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", "-p", "no:cacheprovider",
                    "test_leaves.py"], cwd=folder, env=env, check=True, capture_output=True, text=True)


def test_a_session_stops_the_services_it_deployed_and_no_others(tmp_path, small_model):
    home, work = tmp_path / "home", tmp_path / "work"
    work.mkdir()
    save_model(small_model, work)
    shutil.copy(SCRIPTS / "introspect_score.py", work / "score.py")
    with emulate(home=home):   # a service from before the session, which must survive it
        from azureml.core import Model, Workspace
        from azureml.core.model import InferenceConfig
        from azureml.core.webservice import AciWebservice
        previous = os.getcwd()
        os.chdir(work)
        try:
            ws = Workspace.from_config()
            model = Model.register(ws, model_path="sklearn_mnist_model.pkl", model_name="older")
            Model.deploy(ws, "older-svc", [model], InferenceConfig(entry_script="score.py",
                                                                   environment=service_environment()),
                         AciWebservice.deploy_configuration(cpu_cores=1, memory_gb=1)).wait_for_deployment()
        finally:
            os.chdir(previous)
    try:
        older_pid = housekeeping.list_services(housekeeping.Store(home))[0]["pid"]
        run_session(work, home, "session-svc")
        services = housekeeping.list_services(housekeeping.Store(home))
        assert [s["name"] for s in services] == ["older-svc"]
        assert is_running(older_pid)
    finally:
        housekeeping.stop_all_services(home)
