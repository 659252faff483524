"""Artifact paths (`run.upload_file` names, the artifact service's ids and run history's artifact
routes) go through the one path guard: a path that would leave the run's files is the artifact
service's 400, ``..`` inside them resolves, and nothing is written outside the run's container."""
import io

import pytest
import requests
from azureml.core import Experiment
from azureml.exceptions import ServiceException

from azureml_emulator.addresses import EMULATOR_BASE_URL


def scope(ws):
    return ("/subscriptions/{}/resourceGroups/{}/providers/Microsoft.MachineLearningServices/workspaces/{}"
            .format(ws.subscription_id, ws.resource_group, ws.name))


def files(home):
    """Every file the artifact store holds, relative to it."""
    return sorted(str(p.relative_to(home / "artifacts")) for p in (home / "artifacts").rglob("*") if p.is_file())


@pytest.mark.parametrize("name", ["../../escape.txt", "outputs/../../../x", "..\\..\\x", "/abs.txt", "a\0b"])
def test_upload_file_with_a_name_leaving_the_run_is_the_artifact_services_400(ws, azureml_emulator, name):
    run = Experiment(ws, "paths").start_logging(snapshot_directory=None)
    with pytest.raises(ServiceException) as refused:
        run.upload_file(name=name, path_or_stream=io.BytesIO(b"escaped"))
    assert refused.value.status_code == 400
    assert "(UserError) Artifact path {!r} ".format(name) in str(refused.value)
    run.complete()
    assert run.get_file_names() == []
    assert [f for f in files(azureml_emulator.home) if not f.startswith("ExperimentRun/dcid." + run.id + "/")] == []


def test_dots_inside_the_run_resolve_and_the_file_is_listed_by_its_resolved_name(ws, azureml_emulator, tmp_path):
    run = Experiment(ws, "paths").start_logging(snapshot_directory=None)
    run.upload_file(name="outputs/../x.txt", path_or_stream=io.BytesIO(b"x"))
    run.upload_file(name="outputs\\model.txt", path_or_stream=io.BytesIO(b"m"))
    run.complete()
    assert run.get_file_names() == ["outputs/model.txt", "x.txt"]
    run.download_file("x.txt", str(tmp_path / "x.txt"))
    assert (tmp_path / "x.txt").read_bytes() == b"x"
    assert files(azureml_emulator.home) == ["ExperimentRun/dcid.{}/{}".format(run.id, f)
                                            for f in ("outputs/model.txt", "x.txt")]


def test_the_artifact_routes_refuse_paths_and_ids_leaving_a_container(ws, azureml_emulator):
    run = Experiment(ws, "paths").start_logging(snapshot_directory=None)
    run.upload_file(name="kept.txt", path_or_stream=io.BytesIO(b"k"))
    artifacts = EMULATOR_BASE_URL + "/artifact/v2.0" + scope(ws) + "/artifacts"
    container = "ExperimentRun/dcid." + run.id
    created = requests.post(artifacts + "/batch/metadata/" + container, json={"paths": [{"path": "..\\..\\x"}]})
    assert created.status_code == 400
    assert created.json()["error"] == {"code": "UserError", "details": [],
                                       "message": "Artifact path '..\\\\..\\\\x' leaves its folder: expected a "
                                                  "relative path inside it"}
    for url in (artifacts + "/contentinfo/" + container + "/%2E%2E/dcid.other/a.txt",
                artifacts + "/contentinfo/ExperimentRun/%2E%2E/azureml/x",   # an id whose container is ".."
                artifacts + "/prefix/contentinfo/" + container + "/a%5C..%5C..%5C",
                EMULATOR_BASE_URL + "/history/v1.0" + scope(ws) + "/experiments/paths/runs/" + run.id
                + "/artifacts/contentinfo?path=..%5Cdcid.other%5Ca.txt"):
        answer = requests.get(url)
        assert answer.status_code == 400 and answer.json()["error"]["code"] in ("UserError", "BadRequest"), url
    run.complete()
    assert files(azureml_emulator.home) == ["{}/kept.txt".format(container)]


def test_a_symbolic_link_in_a_runs_files_leads_nowhere_outside_them(ws, azureml_emulator, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("secret")
    run = Experiment(ws, "paths").start_logging(snapshot_directory=None)
    run.upload_file(name="kept.txt", path_or_stream=io.BytesIO(b"k"))
    container = azureml_emulator.home / "artifacts" / "ExperimentRun" / ("dcid." + run.id)
    (container / "door").symlink_to(outside)
    (container / "secret.txt").symlink_to(outside / "secret.txt")
    with pytest.raises(ServiceException) as refused:
        run.upload_file(name="door/new.txt", path_or_stream=io.BytesIO(b"n"))
    assert refused.value.status_code == 400 and "symbolic link" in str(refused.value)
    answer = requests.get(EMULATOR_BASE_URL + "/artifact/v2.0" + scope(ws) + "/artifacts/contentinfo/ExperimentRun/dcid."
                          + run.id + "/door/secret.txt")
    assert answer.status_code == 400
    run.complete()
    assert run.get_file_names() == ["kept.txt"]
    assert [p.name for p in outside.iterdir()] == ["secret.txt"]
