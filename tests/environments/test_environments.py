"""Environments, versions and the SDK's errors."""
import pytest
from azureml.core import Environment
from azureml.core.conda_dependencies import CondaDependencies

from azureml_emulator.environments.pins import pinned_packages, warn_about_pins


def make_env(name="tutorial-env", pins=("scikit-learn==0.22.1",)):
    env = Environment(name)
    env.python.conda_dependencies = CondaDependencies.create(python_version="3.11", pip_packages=list(pins))
    return env


def test_register_and_get_versions(ws):
    first = make_env().register(ws)
    second = make_env(pins=("scikit-learn==1.9.1",)).register(ws)
    assert (first.name, first.version, second.version) == ("tutorial-env", "1", "2")
    got = Environment.get(workspace=ws, name="tutorial-env", version="1")
    assert isinstance(got, Environment)
    assert "scikit-learn==0.22.1" in got.python.conda_dependencies.serialize_to_string()
    assert Environment.get(ws, "tutorial-env").version == "2"
    assert [name for name in Environment.list(ws) if not name.startswith("AzureML-")] == ["tutorial-env"]


def test_unknown_name_raises_the_sdk_error(ws):
    with pytest.raises(Exception) as caught:
        Environment.get(ws, "no-such-env")
    assert type(caught.value) is Exception
    assert str(caught.value).startswith("Error retrieving the environment definition. Code: 404\n")
    assert "No definition exists for Environment: no-such-env" in str(caught.value)


def test_unknown_version_raises_the_sdk_error(ws):
    make_env().register(ws)
    with pytest.raises(Exception) as caught:
        Environment.get(ws, "tutorial-env", version="5")
    assert type(caught.value) is Exception
    assert str(caught.value).startswith("Error retrieving the environment definition. Code: 404\n")
    assert "Version: 5" in str(caught.value)


def test_pins_are_read_from_conda_and_pip_sections():
    env = Environment._serialize_to_dict(make_env(pins=("scikit-learn==0.22.1", "numpy>=1", "joblib==1.4.2")))
    assert ("scikit-learn", "0.22.1") in pinned_packages(env)
    assert ("joblib", "1.4.2") in pinned_packages(env)
    assert ("python", "3.11") in pinned_packages(env)
    assert all(name != "numpy" for name, _ in pinned_packages(env))   # a range is not a pin


def test_one_warning_line_per_differing_pin(capsys):
    import joblib
    import sklearn
    env = Environment._serialize_to_dict(make_env(pins=("scikit-learn==0.22.1",
                                                        "scikit-learn-intelex-not-here==1.0",
                                                        "joblib=={}".format(joblib.__version__))))
    warn_about_pins(env)
    lines = capsys.readouterr().out.splitlines()
    assert "with this machine's Python" in lines[0]
    warnings = [line for line in lines if "WARNING" in line]
    assert warnings == [
        "azureml_emulator: WARNING environment pins scikit-learn==0.22.1 but {} is installed here".format(
            sklearn.__version__),
        "azureml_emulator: WARNING environment pins scikit-learn-intelex-not-here==1.0 but it is not installed here",
    ]


def test_curated_environments_are_in_every_workspace_whatever_the_case(ws):
    sklearn = Environment.get(ws, "azureml-sklearn-1.5")
    assert (sklearn.name, sklearn.python.conda_dependencies.get_python_version()) == ("AzureML-sklearn-1.5", "3.10")
    assert "scikit-learn~=1.5.0" in sklearn.python.conda_dependencies.pip_packages
    listed = Environment.list(ws)
    assert {"AzureML-sklearn-1.5", "AzureML-lightgbm-3.3",
            "AzureML-minimal-ubuntu22.04-py311-cpu-inference"} <= set(listed)


def test_the_azureml_prefix_is_azures_own(ws):
    with pytest.raises(Exception, match="Environment name can not start with the prefix AzureML"):
        Environment("AzureML-mine").register(ws)
    copy = Environment.get(ws, "AzureML-sklearn-1.5").clone("my-sklearn")
    assert copy.register(ws).name == "my-sklearn"


def test_a_build_has_what_conda_puts_in_every_environment_unless_the_environment_names_it():
    from azureml_emulator.environments import definition
    plain = definition.read(Environment._serialize_to_dict(make_env(pins=("numpy",))))
    # setuptools 82 dropped pkg_resources, which azureml-core before 1.61 imports at startup.
    assert plain.requirements[:3] == ("pip", "setuptools<82", "wheel")
    own = definition.read(Environment._serialize_to_dict(make_env(pins=("Setuptools==83.0.0", "numpy"))))
    assert [r for r in own.requirements if definition.requirement_name(r) == "setuptools"] == ["Setuptools==83.0.0"]
    assert own.requirements[:2] == ("pip", "wheel")


def test_versions_are_numbered_by_registration_only(ws, tmp_path):
    from azureml.core import Experiment, ScriptRunConfig
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "hello.py").write_text("print('hello')\n")
    env = make_env(name="myenv", pins=("numpy",))
    env.python.user_managed_dependencies = True   # the submit needs no build
    # A submit saves the unregistered environment as an Autosave_ version, which takes no number.
    run = Experiment(ws, "versions").submit(ScriptRunConfig(source_directory=str(tmp_path / "src"),
                                                            script="hello.py", environment=env))
    run.wait_for_completion()
    assert run.get_environment().version.startswith("Autosave_")
    assert env.register(ws).version == "1"
    assert env.register(ws).version == "1"   # the same definition again is the same version
    env.environment_variables = {"X": "1"}
    assert env.register(ws).version == "2"
    assert Environment.get(ws, "myenv", version="1").environment_variables != {"X": "1"}
    assert Environment.get(ws, "myenv").version == "2"
