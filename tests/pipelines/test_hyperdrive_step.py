"""A HyperDriveStep runs as a sweep of the emulator's sweep machinery, a child of the pipeline run:
its children are script runs with the sampled arguments and the pipeline parameters' values."""
from azureml.core import ScriptRunConfig
from azureml.pipeline.core import Pipeline, PipelineParameter
from azureml.pipeline.steps import HyperDriveStep, HyperDriveStepRun
from azureml.train.hyperdrive import HyperDriveConfig, PrimaryMetricGoal, GridParameterSampling, choice

from helpers import job_log

TRAIN = """
import argparse
from azureml.core import Run
parser = argparse.ArgumentParser()
parser.add_argument('--lr', type=float)
parser.add_argument('--tag')
args = parser.parse_args()
print('LR', args.lr, 'TAG', args.tag)
Run.get_context().log('accuracy', 1 - args.lr)
"""


def test_a_hyperdrive_step_sweeps_its_children_and_the_pipeline_finishes(cluster):
    folder = cluster.work / "tune"
    folder.mkdir()
    (folder / "train.py").write_text(TRAIN)
    tag = PipelineParameter("tag", default_value="default")
    config = ScriptRunConfig(source_directory=str(folder), script="train.py", compute_target=cluster.target,
                             environment=cluster.environment, arguments=["--tag", tag])
    hyperdrive = HyperDriveConfig(run_config=config, hyperparameter_sampling=GridParameterSampling(
        {"--lr": choice(0.1, 0.3)}), primary_metric_name="accuracy", primary_metric_goal=PrimaryMetricGoal.MAXIMIZE,
        max_total_runs=2, max_concurrent_runs=2)
    step = HyperDriveStep(name="tune", hyperdrive_config=hyperdrive)
    run = cluster.experiment.submit(Pipeline(cluster.ws, steps=[step]), pipeline_parameters={"tag": "given"})
    assert run.wait_for_completion(show_output=False) == "Finished"

    step_run = run.find_step_run("tune")[0]
    assert step_run.get_properties()["StepType"] == "HyperDriveStep" and step_run.get_status() == "Finished"
    (sweep,) = step_run.get_children()   # as on Azure: the step run's one child is the HyperDrive run
    assert sweep.type == "hyperdrive" and sweep.id.startswith("HD_")
    tuned = HyperDriveStepRun(step_run)
    assert tuned.id == sweep.id
    children = list(tuned.get_children())
    assert len(children) == 2
    logs = sorted(job_log(child) for child in children)
    assert "LR 0.1 TAG given" in logs[0] and "LR 0.3 TAG given" in logs[1]
    assert tuned.get_best_run_by_primary_metric().get_metrics()["accuracy"] == 0.9
