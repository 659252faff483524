"""A DataPath PipelineParameter as a step input: its default, and a value given at submit by the
SDK (``pipeline_parameters``) or by a published pipeline's REST endpoint (``DataPathAssignments``),
reach the script as the mounted (or downloaded) datastore path."""
import pytest
import requests
from azureml.core import Experiment
from azureml.data.datapath import DataPath, DataPathComputeBinding
from azureml.pipeline.core import Pipeline, PipelineParameter
from azureml.pipeline.core.run import PipelineRun

from helpers import job_log
from test_pipelines import script_folder, step

SHOW = """
import os, sys
print('ARG', sys.argv[2], 'NAME', open(os.path.join(sys.argv[2], 'name.txt')).read())
"""


def upload(cluster, folder, text):
    local = cluster.work / "upload" / folder
    local.mkdir(parents=True)
    (local / "name.txt").write_text(text)
    cluster.ws.get_default_datastore().upload(src_dir=str(local), target_path=folder)


def data_path_pipeline(cluster, mode="mount"):
    datastore = cluster.ws.get_default_datastore()
    parameter = PipelineParameter(name="input_datapath", default_value=DataPath(datastore, "first"))
    data_input = (parameter, DataPathComputeBinding(mode=mode))
    show = step(cluster, "show", script_folder(cluster, show=SHOW), arguments=["--in", data_input],
                inputs=[data_input], allow_reuse=False)
    return Pipeline(cluster.ws, steps=[show])


@pytest.mark.parametrize("mode", ["mount", "download"])
def test_a_data_path_parameter_reaches_the_script_with_its_default_or_the_value_given_at_submit(cluster, mode):
    upload(cluster, "first", "first")
    upload(cluster, "second", "second")
    pipeline = data_path_pipeline(cluster, mode)
    run = cluster.experiment.submit(pipeline)
    assert run.wait_for_completion(show_output=False) == "Finished"
    (show,) = run.get_steps()
    assert "NAME first" in job_log(show)
    assert "ARG /" in job_log(show)   # the local path, not the placeholder

    datastore = cluster.ws.get_default_datastore()
    other = cluster.experiment.submit(pipeline, pipeline_parameters={"input_datapath": DataPath(datastore, "second")})
    assert other.wait_for_completion(show_output=False) == "Finished"
    assert "NAME second" in job_log(list(other.get_steps())[0])
    # The run keeps the value as "datastore/path" among its parameters; the SDK rebuilds its graph from it.
    (node,) = other.get_graph().datasource_nodes
    assert node._datasource.datasource_def.path_on_datastore == "second"


def test_a_published_pipeline_takes_data_path_assignments_over_rest(cluster):
    upload(cluster, "first", "first")
    upload(cluster, "third", "third")
    published = data_path_pipeline(cluster).publish(name="datapaths", description="DataPath over REST")
    headers = cluster.ws._auth_object.get_authentication_header()
    datastore = cluster.ws.get_default_datastore().name
    body = {"ExperimentName": "rest-datapath", "RunSource": "SDK",
            "DataPathAssignments": {"input_datapath": {"DataStoreName": datastore, "RelativePath": "third"}}}
    answer = requests.post(published.endpoint, json=body, headers=headers)
    assert answer.status_code == 200, answer.text
    run = PipelineRun(Experiment(cluster.ws, "rest-datapath"), answer.json()["Id"])
    assert run.wait_for_completion(show_output=False) == "Finished"
    assert "NAME third" in job_log(list(run.get_steps())[0])

    default_run = published.submit(cluster.ws, "rest-datapath")
    assert default_run.wait_for_completion(show_output=False) == "Finished"
    assert "NAME first" in job_log(list(default_run.get_steps())[0])

    for wrong, says in (({"nope": {"DataStoreName": datastore, "RelativePath": "x"}}, "DataPath parameters nope are not"),
                        ({"input_datapath": {"RelativePath": "x"}}, "expected a datastore path")):
        refused = requests.post(published.endpoint, json=dict(body, DataPathAssignments=wrong), headers=headers)
        assert refused.status_code == 400 and says in refused.json()["error"]["message"]
