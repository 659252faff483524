"""Steps that another Azure service runs (Databricks, Automated ML, Data Factory...) are refused,
naming the step type, when the SDK creates the pipeline's modules (submit, publish)."""
import pytest
from azureml.core import Experiment
from azureml.pipeline.core import Pipeline

from azureml_emulator.pipelines import entities
from azureml_emulator.pipelines.step_kinds import OTHER_SERVICES


def databricks_pipeline(ws):
    from azureml.pipeline.steps import DatabricksStep
    step = DatabricksStep(name="notebook", notebook_path="/Users/me/train", compute_target="databricks",
                          run_name="train", num_workers=1)
    return Pipeline(ws, steps=[step])


def test_a_databricks_step_is_refused_at_submit_and_publish_and_nothing_runs(ws, azureml_emulator):
    pipeline = databricks_pipeline(ws)
    assert pipeline.validate() == []   # as on Azure: validate() checks the graph, not the services
    for call in (lambda: Experiment(ws, "elsewhere").submit(pipeline), lambda: pipeline.publish(name="dbx")):
        with pytest.raises(Exception) as raised:
            call()
        assert raised.value.response.status_code == 501
        assert raised.value.response.json()["error"]["message"] == (
            "not emulated by azureml_emulator: DatabricksStep (step 'notebook': such steps run on Azure Databricks)")
    assert azureml_emulator.store.query("SELECT COUNT(*) AS n FROM pipeline_entities WHERE kind IN (?, ?, ?)",
                       (entities.MODULE, entities.PIPELINE_RUN, entities.PUBLISHED))[0]["n"] == 0
    assert list(Experiment(ws, "elsewhere").get_runs()) == []   # no pipeline run was started


def test_every_step_type_of_another_service_is_named_in_the_refusal():
    from azureml_emulator.errors import NotEmulated
    from azureml_emulator.pipelines.step_kinds import refuse_other_services
    for step_type in OTHER_SERVICES:
        with pytest.raises(NotEmulated, match="not emulated by azureml_emulator: {} ".format(step_type)):
            refuse_other_services({"StepType": step_type, "Name": "s"})
    refuse_other_services({"StepType": "PythonScriptStep", "Name": "s"})   # the emulator runs this one
