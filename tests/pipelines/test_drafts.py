"""Pipeline drafts through the SDK's own PipelineDraft: create one from a two-step pipeline with
a PipelineParameter, get and list it (by tags), update its parameter value, submit a run of it
and publish it (both really run their steps), clone one from a run, a published pipeline or a
draft, delete one, and refuse bad ones."""
import uuid

import pytest
import requests
from azureml.core import Experiment
from azureml.core.runconfig import RunConfiguration
from azureml.pipeline.core import Pipeline, PipelineData, PipelineDraft, PipelineParameter, PublishedPipeline
from azureml.pipeline.core._restclients.aeva.models.error_response import ErrorResponseException
from azureml.pipeline.steps import PythonScriptStep

from azureml_emulator.addresses import EMULATOR_BASE_URL
from helpers import job_log

WRITE = """
import argparse, os
from azureml.core import Run
parser = argparse.ArgumentParser()
parser.add_argument('--out')
parser.add_argument('--greeting')
args = parser.parse_args()
Run.get_context().log('greeting', args.greeting)
os.makedirs(args.out, exist_ok=True)
with open(os.path.join(args.out, 'message.txt'), 'w') as out:
    out.write('hello ' + args.greeting)
"""

READ = """
import os, sys
print('READ', open(os.path.join(sys.argv[1], 'message.txt')).read())
"""


def step_settings(cluster):
    """The source folder (write.py and read.py), compute target and run configuration of a step."""
    folder = cluster.work / "steps"
    folder.mkdir(exist_ok=True)
    (folder / "write.py").write_text(WRITE)
    (folder / "read.py").write_text(READ)
    config = RunConfiguration()
    config.environment = cluster.environment
    return dict(source_directory=str(folder), compute_target=cluster.target, runconfig=config)


def greeter(cluster):
    """A two-step pipeline: ``write`` writes and logs "hello <greeting>", ``read`` prints it."""
    data = PipelineData("message", datastore=cluster.ws.get_default_datastore())
    greeting = PipelineParameter("greeting", default_value="world")
    common = step_settings(cluster)
    write = PythonScriptStep(script_name="write.py", name="write", arguments=["--out", data, "--greeting", greeting],
                             outputs=[data], **common)
    read = PythonScriptStep(script_name="read.py", name="read", arguments=[data], inputs=[data], **common)
    return Pipeline(cluster.ws, steps=[write, read])


def draft_of(cluster, **kwargs):
    return PipelineDraft.create(cluster.ws, pipeline=greeter(cluster), name="greeter-draft", description="a draft",
                                experiment_name="drafts", pipeline_parameters={"greeting": "draft"},
                                continue_on_step_failure=True, **kwargs)


def greeted(pipeline_run):
    """What the run's steps said: the write step's logged greeting and the read step's line."""
    assert pipeline_run.wait_for_completion(show_output=False) == "Finished"
    write, read = pipeline_run.find_step_run("write")[0], pipeline_run.find_step_run("read")[0]
    return write.get_metrics()["greeting"], job_log(read).split("READ ")[1].splitlines()[0]


def test_a_draft_is_kept_listed_by_tags_updated_and_deleted(cluster):
    draft = draft_of(cluster, tags={"team": "mnist", "stage": "dev"}, properties={"owner": "tests"})
    other = PipelineDraft.create(cluster.ws, pipeline=greeter(cluster), name="other", experiment_name="drafts",
                                 tags={"team": "other"})
    got = PipelineDraft.get(cluster.ws, draft.id)
    assert (got.name, got.description, got.tags, got.properties) == (
        "greeter-draft", "a draft", {"team": "mnist", "stage": "dev"}, {"owner": "tests"})
    assert got._experiment_name == "drafts" and got.last_submitted_pipeline_run_id is None
    assert {d.id for d in PipelineDraft.list(cluster.ws)} == {draft.id, other.id}
    assert [d.id for d in PipelineDraft.list(cluster.ws, tags={"team": "mnist"})] == [draft.id]
    assert PipelineDraft.list(cluster.ws, tags={"team": "nobody"}) == []
    assert sorted(node.name for node in got.get_graph().module_nodes) == ["read", "write"]
    assert got.get_graph().params["greeting"].default_value == "draft"

    draft.update(name="renamed", pipeline_parameters={"greeting": "updated"}, tags={"team": "mnist"})
    got = PipelineDraft.get(cluster.ws, draft.id)
    assert (got.name, got.tags) == ("renamed", {"team": "mnist"})
    assert got.get_graph().params["greeting"].default_value == "updated"

    copy = PipelineDraft.create(cluster.ws, pipeline=got)   # a clone of a draft
    assert copy.id != draft.id and copy.parent_pipeline_draft_id == draft.id and copy.name == "renamed"
    assert copy.get_graph().params["greeting"].default_value == "updated"
    assert copy._graph_draft_id != got._graph_draft_id   # its own graph: changing one leaves the other

    alone = PythonScriptStep(script_name="read.py", name="alone", arguments=["."], **step_settings(cluster))
    other.update(pipeline=Pipeline(cluster.ws, steps=[alone]))   # a draft's pipeline changes
    assert [node.name for node in PipelineDraft.get(cluster.ws, other.id).get_graph().module_nodes] == ["alone"]
    with pytest.raises(ValueError, match="must include only ModuleSteps"):   # as on Azure: save() is for
        got.save(str(cluster.work))                                          # Azure ML modules' pipelines

    other.delete()
    with pytest.raises(ErrorResponseException) as missing:
        PipelineDraft.get(cluster.ws, other.id)
    error = missing.value.response.json()["error"]
    assert missing.value.response.status_code == 404 and error["code"] == "PipelineDraftNotFound"
    assert error["message"] == "PipelineDraft {} was not found in this workspace".format(other.id)
    assert {d.id for d in PipelineDraft.list(cluster.ws)} == {draft.id, copy.id}


def test_a_draft_runs_with_its_updated_parameter_and_a_clone_of_its_run_runs_again(cluster):
    draft = draft_of(cluster)
    draft.update(pipeline_parameters={"greeting": "updated"})
    run = draft.submit_run()
    assert run.experiment.name == "drafts"
    assert run.get_properties()["azureml.continue_on_step_failure"] == "True"
    assert greeted(run) == ("updated", "hello updated")
    assert PipelineDraft.get(cluster.ws, draft.id).last_submitted_pipeline_run_id == run.id

    clone = PipelineDraft.create(cluster.ws, pipeline=run)
    assert clone.id != draft.id and clone.parent_pipeline_run_id == run.id
    assert set(clone.parent_step_run_ids) == {s.id for s in run.get_steps()}
    clone.update(pipeline_parameters={"greeting": "cloned"})
    assert greeted(clone.submit_run()) == ("cloned", "hello cloned")


def test_a_published_draft_runs(cluster):
    draft = draft_of(cluster)
    published = draft.publish()
    assert isinstance(published, PublishedPipeline) and published.name == "greeter-draft"
    assert PublishedPipeline.get(cluster.ws, published.id).status == "Active"
    assert greeted(published.submit(cluster.ws, "published-draft")) == ("draft", "hello draft")

    clone = PipelineDraft.create(cluster.ws, pipeline=published)
    assert clone.parent_pipeline_id == published.id and clone.name == "greeter-draft"
    assert clone._experiment_name is None   # a published pipeline has no experiment: the draft is given one
    clone.update(experiment_name="from-published", pipeline_parameters={"greeting": "again"})
    clone = PipelineDraft.get(cluster.ws, clone.id)
    assert greeted(clone.submit_run()) == ("again", "hello again")


def test_bad_drafts_are_refused_with_what_is_expected_and_leave_no_run(ws):
    url = "{}/pipelines/v1.0/subscriptions/{}/resourceGroups/{}/providers/Microsoft.MachineLearningServices" \
          "/workspaces/{}".format(EMULATOR_BASE_URL, ws.subscription_id, ws.resource_group, ws.name)
    headers = ws._auth_object.get_authentication_header()

    def call(method, path, body):
        answer = requests.request(method, url + path, json=body, headers=headers)
        return answer.status_code, answer.json()

    assert call("POST", "/GraphDrafts", {"ModuleNodes": 3})[0] == 400
    status, graph_draft = call("POST", "/GraphDrafts", {})   # empty, as a new draft in the designer is
    assert status == 200 and graph_draft["ModuleNodes"] == []
    status, error = call("POST", "/PipelineDrafts/Create", {"Name": "x", "GraphDraftId": graph_draft["Id"],
                                                            "tags": {"n": 1}})
    assert status == 400 and "tags" in error["error"]["message"]
    status, draft = call("POST", "/PipelineDrafts/Create", {"Name": "empty", "GraphDraftId": graph_draft["Id"]})
    status, error = call("POST", "/PipelineRuns/PipelineDraftSubmit", draft)
    assert status == 400 and "has no experiment name" in error["error"]["message"]
    experiment = "empty-" + uuid.uuid4().hex[:8]
    status, draft = call("PUT", "/PipelineDrafts/" + draft["Id"],
                         dict(draft, PipelineSubmissionInfo={"ExperimentName": experiment}))
    assert status == 200 and draft["PipelineSubmissionInfo"]["ExperimentName"] == experiment
    for path in ("/PipelineRuns/PipelineDraftSubmit", "/Pipelines/PipelineDraftCreate"):
        status, error = call("POST", path, draft)
        assert status == 400 and error["error"]["message"] == "The graph has no module node: a pipeline needs at " \
                                                              "least one step"
    assert list(Experiment(ws, experiment).get_runs()) == []
    assert call("GET", "/PipelineDrafts/" + draft["Id"], None)[1]["LastSubmittedPipelineRunId"] is None
