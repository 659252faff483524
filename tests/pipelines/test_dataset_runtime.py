"""A step that mounts a dataset in an Environment without azureml-dataset-runtime fails before its
script runs, with the SDK's own text naming the package (what its dataset context manager raises
in the job on Azure)."""
from azureml.core import Dataset
from azureml.core.runconfig import RunConfiguration
from azureml.pipeline.core import Pipeline
from azureml.pipeline.steps import PythonScriptStep

from helpers import job_log, service_environment


def test_a_mounted_dataset_needs_the_dataset_runtime_in_the_environment(cluster):
    datastore = cluster.ws.get_default_datastore()
    (cluster.work / "digits").mkdir()
    (cluster.work / "digits" / "seven.txt").write_text("7")
    datastore.upload(src_dir=str(cluster.work / "digits"), target_path="digits")
    digits = Dataset.File.from_files(path=(datastore, "digits")).register(cluster.ws, "digits")
    (cluster.work / "step").mkdir()
    (cluster.work / "step" / "count.py").write_text("print('SCRIPT RAN')\n")
    config = RunConfiguration()
    config.environment = service_environment(name="no-dataset-runtime", pins=(), azureml_defaults=False)
    mounted = digits.as_named_input("digits").as_mount()
    step = PythonScriptStep(name="count", script_name="count.py", arguments=[mounted], inputs=[mounted],
                            source_directory=str(cluster.work / "step"), compute_target=cluster.target,
                            runconfig=config)
    run = cluster.experiment.submit(Pipeline(cluster.ws, steps=[step]))
    assert run.wait_for_completion(show_output=False, raise_on_error=False) == "Failed"
    step_run = run.find_step_run("count")[0]
    message = step_run.get_details()["error"]["error"]["message"]
    assert message.startswith('Missing required package "azureml-dataset-runtime[fuse]", which can be installed '
                              'by running: "') and message.endswith(
                                  '" -m pip install azureml-dataset-runtime[fuse] --upgrade')
    assert "SCRIPT RAN" not in job_log(step_run)
