"""Datastore paths as a job's data references (``datastore.path(p).as_mount()`` and
``as_download()`` in ``run_config.data_references``, ``str(reference)`` as an argument): the job
gets the path in ``$AZUREML_DATAREFERENCE_<name>`` and in its arguments, a mount is the
datastore's own data (what the job writes there is in the datastore), a download a copy where
``path_on_compute`` says; a mode or datastore the emulator cannot provide fails the run."""
import pytest
from azureml.core import Datastore, ScriptRunConfig
from azureml.exceptions import ActivityFailedException

from helpers import job_log

SCRIPT = """
import os, sys
folder = sys.argv[1]
name = [k for k in os.environ if k.startswith('AZUREML_DATAREFERENCE_')][0]
print('SAME', os.environ[name] == folder)
print('FOLDER', os.path.relpath(folder))
print('FILES', sorted(os.listdir(folder)))
print('TEXT', open(os.path.join(folder, 'a.csv')).read().strip())
if len(sys.argv) > 2:
    with open(os.path.join(folder, sys.argv[2]), 'w') as out:
        out.write('written by the job')
"""


@pytest.fixture
def data(tmp_path):
    folder = tmp_path / "upload" / "input"
    folder.mkdir(parents=True)
    (folder / "a.csv").write_text("x,y\n1,2\n")
    (folder / "b.csv").write_text("x,y\n3,4\n")
    return folder.parent


def _submit(cluster, reference, *more, target=None):
    script = cluster.work / "refjob"
    script.mkdir(exist_ok=True)
    (script / "train.py").write_text(SCRIPT)
    config = ScriptRunConfig(source_directory=str(script), script="train.py", arguments=[str(reference), *more],
                             compute_target=target or cluster.target, environment=cluster.environment)
    config.run_config.data_references = {reference.data_reference_name: reference.to_config()}
    return cluster.experiment.submit(config)


def test_a_mounted_datastore_path_is_the_datastores_data(cluster, data, tmp_path):
    store = cluster.ws.get_default_datastore()
    store.upload(str(data), target_path="refs", show_progress=False)
    run = _submit(cluster, store.path("refs/input").as_mount(), "new.txt")
    run.wait_for_completion(raise_on_error=True)
    log = job_log(run)
    assert "SAME True" in log and "FILES ['a.csv', 'b.csv']" in log and "TEXT x,y\n1,2" in log
    # What the job wrote into the mount is in the datastore afterwards.
    store.download(str(tmp_path / "back"), prefix="refs/input/new.txt", show_progress=False)
    assert (tmp_path / "back" / "refs" / "input" / "new.txt").read_text() == "written by the job"


def test_a_downloaded_file_share_path_is_a_copy_where_path_on_compute_says(cluster, data, tmp_path):
    share = Datastore.get(cluster.ws, "workspacefilestore")
    share.upload(str(data), target_path="refs", show_progress=False)
    reference = share.path("refs/input").as_download(path_on_compute="local/copy")
    run = _submit(cluster, reference, "scratch.txt", target="local")
    run.wait_for_completion(raise_on_error=True)
    log = job_log(run)
    assert "SAME True" in log and "FILES ['a.csv', 'b.csv']" in log
    assert "FOLDER local/copy\n" in log   # relative to the working directory
    # A copy: what the job wrote there is not in the share.
    assert share.download(str(tmp_path / "back"), prefix="refs", show_progress=False) == 2


def test_the_argument_arrives_as_the_local_path(cluster, data):
    store = cluster.ws.get_default_datastore()
    store.upload(str(data), target_path="args", show_progress=False)
    reference = store.path("args/input").as_download()
    run = _submit(cluster, reference)
    run.wait_for_completion(raise_on_error=True)
    assert run.get_details()["runDefinition"]["arguments"] == ["$AZUREML_DATAREFERENCE_" + reference.data_reference_name]
    assert "SAME True" in job_log(run) and "TEXT x,y\n1,2" in job_log(run)


def test_an_upload_reference_fails_the_run_as_not_emulated(cluster):
    reference = cluster.ws.get_default_datastore().as_upload(path_on_compute="outputs/up")
    run = _submit(cluster, reference)
    with pytest.raises(ActivityFailedException, match="not emulated by azureml_emulator: data reference .* in mode "
                                                      "'upload'"):
        run.wait_for_completion(raise_on_error=True)


def test_a_reference_to_a_datastore_that_is_gone_fails_the_run(cluster, data):
    mine = Datastore.register_azure_blob_container(cluster.ws, "mine", "cont1", "acct1", account_key="S0VZ")
    reference = mine.path("x").as_mount()
    mine.unregister()
    run = _submit(cluster, reference)
    with pytest.raises(ActivityFailedException, match="Data reference .*: Could not find datastore: mine"):
        run.wait_for_completion(raise_on_error=True)
