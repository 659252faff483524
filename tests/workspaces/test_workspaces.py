"""Workspaces from config.json or defaults, and state shared between processes."""
import json
import subprocess
import sys
import textwrap

from azureml.core import Model, Workspace

from helpers import save_model


def test_from_config_without_config_json_gives_the_default_workspace(ws):
    assert (ws.name, ws.resource_group) == ("local-workspace", "azureml-emulator")
    assert ws.location == "local"


def test_from_config_uses_the_names_in_config_json(azureml_emulator, tmp_path, monkeypatch):
    config = {"subscription_id": "11111111-2222-3333-4444-555555555555",
              "resource_group": "my-rg", "workspace_name": "my-ws"}
    (tmp_path / ".azureml").mkdir()
    (tmp_path / ".azureml" / "config.json").write_text(json.dumps(config))
    (tmp_path / "sub" / "dir").mkdir(parents=True)
    monkeypatch.chdir(tmp_path / "sub" / "dir")   # found by searching parent folders, as the SDK does
    ws = Workspace.from_config()
    assert (ws.subscription_id, ws.resource_group, ws.name) == (
        config["subscription_id"], "my-rg", "my-ws")
    assert Workspace.from_config(path=str(tmp_path / ".azureml" / "config.json")).name == "my-ws"


def test_workspace_get_and_direct_construction(azureml_emulator):
    ws = Workspace.get("named", subscription_id="sub-1", resource_group="rg-1")
    again = Workspace("sub-1", "rg-1", "named")
    assert (ws.name, ws.subscription_id, ws.resource_group) == ("named", "sub-1", "rg-1")
    assert ws._workspace_id == again._workspace_id   # the same workspace, not a new one


def test_workspaces_are_separate(azureml_emulator, tmp_path, monkeypatch, small_model):
    monkeypatch.chdir(tmp_path)
    path = save_model(small_model, tmp_path)
    Model.register(Workspace.get("first"), model_path=str(path.name), model_name="only-in-first")
    assert [m.name for m in Model.list(Workspace.get("first"))] == ["only-in-first"]
    assert Model.list(Workspace.get("second")) == []


def test_a_new_process_sees_what_an_earlier_one_registered(azureml_emulator, tmp_path, monkeypatch, small_model):
    monkeypatch.chdir(tmp_path)
    save_model(small_model, tmp_path)
    Model.register(Workspace.from_config(), model_path="sklearn_mnist_model.pkl", model_name="shared",
                   tags={"from": "parent"})
    child = textwrap.dedent("""
        import azureml_emulator
        from azureml.core import Model, Workspace
        with azureml_emulator.emulate(home=%r):
            model = Model(Workspace.from_config(), "shared")
            print(model.name, model.version, model.tags["from"])
    """ % str(azureml_emulator.home))
    out = subprocess.run([sys.executable, "-c", child], capture_output=True, text=True, check=True,
                         cwd=tmp_path).stdout
    assert out.strip().splitlines()[-1] == "shared 1 parent"


def test_concurrent_registrations_get_distinct_versions(azureml_emulator, tmp_path, monkeypatch, small_model):
    """Two processes registering at once: every registration lands, with its own version."""
    monkeypatch.chdir(tmp_path)
    save_model(small_model, tmp_path)
    child = textwrap.dedent("""
        import azureml_emulator
        from azureml.core import Model, Workspace
        with azureml_emulator.emulate(home=%r):
            ws = Workspace.from_config()
            for _ in range(4):
                Model.register(ws, model_path="sklearn_mnist_model.pkl", model_name="raced")
    """ % str(azureml_emulator.home))
    racers = [subprocess.Popen([sys.executable, "-c", child], cwd=tmp_path, stdout=subprocess.DEVNULL)
              for _ in range(2)]
    assert [racer.wait(timeout=300) for racer in racers] == [0, 0]
    versions = sorted(m.version for m in Model.list(Workspace.from_config(), name="raced"))
    assert versions == list(range(1, 9))


def test_get_details_answers_with_the_fields_resource_manager_gives(ws):
    details = ws.get_details()
    assert details["name"] == ws.name and details["workspaceid"] == ws._workspace_id
    assert details["id"] == ("/subscriptions/{}/resourceGroups/{}/providers/Microsoft.MachineLearningServices/"
                             "workspaces/{}".format(ws.subscription_id, ws.resource_group, ws.name))
    assert details["provisioningState"] == "Succeeded" and details["sku"] == "Basic"
    assert details["storageAccount"].endswith("/providers/Microsoft.Storage/storageAccounts/"
                                              + ws.get_default_datastore().account_name)
    assert ws.discovery_url == "https://azureml-emulator.invalid/discovery"   # still the emulator's


def test_workspace_list_finds_the_workspaces_of_a_subscription_and_resource_group(azureml_emulator):
    from azureml.core import Workspace
    first = Workspace("11111111-2222-3333-4444-555555555555", "rg-a", "first")
    Workspace("11111111-2222-3333-4444-555555555555", "rg-b", "second")
    Workspace("99999999-2222-3333-4444-555555555555", "rg-a", "elsewhere")
    everything = Workspace.list("11111111-2222-3333-4444-555555555555")
    assert sorted(everything) == ["first", "second"]
    in_group = Workspace.list("11111111-2222-3333-4444-555555555555", resource_group="rg-a")
    assert list(in_group) == ["first"] and in_group["first"][0]._workspace_id == first._workspace_id
    assert Workspace.list("11111111-2222-3333-4444-555555555555", resource_group="rg-none") == {}


def test_interactive_login_uses_the_emulators_credential_without_a_login(azureml_emulator):
    """`InteractiveLoginAuthentication()` looks for an ambient credential before it would prompt
    (a compute instance's managed identity); here it finds the emulator's, so the samples' REST
    cells and `Workspace(..., auth=InteractiveLoginAuthentication(tenant_id=...))` work offline."""
    from azureml.core.authentication import InteractiveLoginAuthentication
    from azureml_emulator.workspaces.sdk import EmulatorAuthentication
    auth = InteractiveLoginAuthentication(tenant_id="72f988bf-0000-0000-0000-000000000000")
    assert isinstance(auth._ambient_auth, EmulatorAuthentication)
    assert auth.get_authentication_header()["Authorization"].startswith("Bearer ey")
    ws = Workspace("sub-1", "rg-1", "signed-in", auth=auth)
    assert ws.get_details()["name"] == "signed-in"
    assert InteractiveLoginAuthentication(force=True)._ambient_auth is not None   # no prompt even when forced


def test_interactive_login_is_the_sdks_own_again_after_the_emulator_stops(tmp_path):
    from azureml.core.authentication import InteractiveLoginAuthentication
    from azureml_emulator import emulate
    original = InteractiveLoginAuthentication._get_ambient
    with emulate(home=tmp_path / "home"):
        assert InteractiveLoginAuthentication._get_ambient is not original
    assert InteractiveLoginAuthentication._get_ambient is original


def test_discovery_names_every_service_the_installed_sdk_looks_up():
    """The emulator's own list of discovery keys (answered without importing the SDK) is the SDK's."""
    from azureml._restclient.service_context import _ServiceKeys

    from azureml_emulator.workspaces import backend
    assert set(backend.DISCOVERY_KEYS) == set(_ServiceKeys.get_discovery_keys())
    assert set(backend.service_endpoints()) == set(backend.DISCOVERY_KEYS)
