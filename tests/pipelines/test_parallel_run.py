"""ParallelRunStep through the SDK's own ParallelRunConfig and ParallelRunStep: the step's job runs
the driver, whose worker processes call a real entry script's init() and run(mini_batch) over a
FileDataset's files or a TabularDataset's rows, in the Environment build the pipeline tests use."""
from pathlib import Path

from azureml.core import Dataset
from azureml.pipeline.core import Pipeline, PipelineData, PipelineParameter
from azureml.pipeline.steps import ParallelRunConfig, ParallelRunStep

from helpers import kernel_environment

ENTRY = """
import argparse, os, sys
from azureml_user.parallel_run import EntryScript
def init():
    parser = argparse.ArgumentParser()
    parser.add_argument('--labels')
    labels, _ = parser.parse_known_args()
    print('INIT', os.getpid(), ' '.join(sys.argv[1:]))
    print('LABELS', open(os.path.join(labels.labels, 'f0.txt')).read())
    EntryScript().logger.info('HELPER %s', EntryScript().agent_name)
def run(mini_batch):
    print('BATCH', len(mini_batch))
    return [os.path.basename(path) + ' ' + open(path).read() for path in mini_batch]
"""

# One item of each kind of failure: dropped (fewer rows), raising, too slow (the timeout).
FAILING = """
import os, time
def run(mini_batch):
    rows = []
    for path in mini_batch:
        text = open(path).read()
        if text == 'raise':
            raise ValueError('cannot score ' + os.path.basename(path))
        if text == 'sleep':
            time.sleep(30)
        if text != 'drop':
            rows.append(os.path.basename(path))
    return rows
"""

TABLE = """
def run(mini_batch):
    mini_batch['total'] = mini_batch['x'] + mini_batch['y']
    return mini_batch
"""


def file_dataset(cluster, name, contents):
    folder = cluster.work / name
    folder.mkdir()
    for index, text in enumerate(contents):
        (folder / "f{}.txt".format(index)).write_text(text)
    store = cluster.ws.get_default_datastore()
    store.upload(str(folder), target_path=name, show_progress=False)
    return Dataset.File.from_files((store, name)).register(cluster.ws, name)


def entry_folder(cluster, text, name="entry"):
    folder = cluster.work / ("src-" + name)
    folder.mkdir()
    (folder / "entry.py").write_text(text)
    return str(folder)


def parallel_step(cluster, folder, dataset, environment=None, name="score", side=None, **config):
    output = PipelineData("scores", datastore=cluster.ws.get_default_datastore())
    settings = dict(error_threshold=0, output_action="append_row", node_count=1, process_count_per_node=2)
    settings.update(config)
    parallel_config = ParallelRunConfig(source_directory=folder, entry_script="entry.py",
                                        environment=environment or cluster.environment,
                                        compute_target=cluster.target, **settings)
    arguments = ["--extra", "x"] + (["--labels", side] if side is not None else [])
    return ParallelRunStep(name=name, parallel_run_config=parallel_config, inputs=[dataset.as_named_input("items")],
                           output=output, arguments=arguments, side_inputs=[side] if side is not None else None,
                           allow_reuse=False)


def output_lines(step_run, target):
    step_run.get_output_data("scores").download(str(target))
    files = list(Path(target).rglob("*"))
    assert [f.name for f in files if f.is_file()] == ["parallel_run_step.txt"]
    return sorted(next(f for f in files if f.is_file()).read_text().splitlines())


def log_text(step_run, name, target):
    step_run.download_file(name, str(target))
    return Path(target).read_text()


def test_a_file_dataset_in_mini_batches_of_a_pipeline_parameter_size_appends_rows(cluster):
    dataset = file_dataset(cluster, "numbers", [str(i) for i in range(7)])
    labels = file_dataset(cluster, "labels", ["zero"]).as_named_input("labels").as_mount()   # a side input
    size = PipelineParameter("batch_size", default_value="3")
    step = parallel_step(cluster, entry_folder(cluster, ENTRY), dataset, mini_batch_size=size, side=labels)
    pipeline = Pipeline(cluster.ws, steps=[step])
    default = cluster.experiment.submit(pipeline)
    overridden = cluster.experiment.submit(pipeline, pipeline_parameters={"batch_size": "2"})
    assert default.wait_for_completion(show_output=False) == "Finished"
    assert overridden.wait_for_completion(show_output=False) == "Finished"

    step_run = default.find_step_run("score")[0]
    assert step_run.get_details()["runDefinition"]["script"] == "driver/amlbi_main.py"
    assert output_lines(step_run, cluster.work / "out") == ["f{}.txt {}".format(i, i) for i in range(7)]
    names = step_run.get_file_names()
    for expected in ("logs/sys/master_role.txt", "logs/job_result.txt", "logs/sys/node/0/process000.txt",
                     "logs/sys/node/0/process001.txt", "logs/user/stdout/0/process000.stdout.txt"):
        assert expected in names
    assert any(n.startswith("logs/job_progress_overview.") for n in names)
    master = log_text(step_run, "logs/sys/master_role.txt", cluster.work / "master.txt")
    assert "3 mini batches were created (7 items)" in master and "The job succeeded." in master   # not the side input
    stdout = "".join(log_text(step_run, "logs/user/stdout/0/process00{}.stdout.txt".format(i),
                              cluster.work / "stdout{}.txt".format(i)) for i in range(2))
    assert stdout.count("INIT") == 2   # init() once in each of the two workers
    assert "--extra x" in stdout       # the step's arguments reach the entry script
    assert stdout.count("LABELS zero") == 2   # the side input is mounted, its path in the arguments
    assert "HELPER process000" in stdout and "HELPER process001" in stdout   # EntryScript's logger, to stdout
    assert sorted(line for line in stdout.splitlines() if line.startswith("BATCH")) == [
        "BATCH 1", "BATCH 3", "BATCH 3"]

    smaller = overridden.find_step_run("score")[0]
    master = log_text(smaller, "logs/sys/master_role.txt", cluster.work / "master2.txt")
    assert "4 mini batches were created (7 items)" in master
    assert len(output_lines(smaller, cluster.work / "out2")) == 7


def test_failed_items_within_the_error_threshold_complete_and_above_it_fail_the_step(cluster):
    # f0..f3 are scored; f4 is dropped (fewer rows), f5 raises in both tries, f6 outlives the timeout.
    dataset = file_dataset(cluster, "mixed", ["ok", "ok", "ok", "ok", "drop", "raise", "sleep"])
    folder = entry_folder(cluster, FAILING)
    settings = dict(mini_batch_size="1", run_max_try=2, run_invocation_timeout=2)
    within = cluster.experiment.submit(Pipeline(cluster.ws, steps=[
        parallel_step(cluster, folder, dataset, error_threshold=3, **settings)]))
    above = cluster.experiment.submit(Pipeline(cluster.ws, steps=[
        parallel_step(cluster, folder, dataset, error_threshold=2, **settings)]))

    assert within.wait_for_completion(show_output=False) == "Finished"
    step_run = within.find_step_run("score")[0]
    assert output_lines(step_run, cluster.work / "within") == ["f{}.txt".format(i) for i in range(4)]
    errors = log_text(step_run, "logs/user/error.txt", cluster.work / "errors.txt")
    assert "ValueError: cannot score f5.txt" in errors
    assert "run_invocation_timeout (2 s)" in errors
    assert "returned 0 rows for 1 items" in errors

    assert above.wait_for_completion(show_output=False, raise_on_error=False) == "Failed"
    failed = above.find_step_run("score")[0]
    assert failed.get_status() == "Failed"
    message = failed.get_details()["error"]["error"]["message"]
    assert "exited with status code 42" in message
    assert "The number of failed items (3) exceeded the error threshold (2)" in message
    assert "Job failed" in log_text(failed, "logs/job_result.txt", cluster.work / "result.txt")


def test_a_tabular_dataset_is_given_to_run_as_data_frames_of_about_the_batch_size(cluster):
    store = cluster.ws.get_default_datastore()
    (cluster.work / "table").mkdir()
    (cluster.work / "table" / "t.csv").write_text("x,y\n" + "".join("{},{}\n".format(i, 10 * i) for i in range(12)))
    store.upload(str(cluster.work / "table"), target_path="table", show_progress=False)
    table = Dataset.Tabular.from_delimited_files(path=(store, "table/t.csv"))
    kernel = kernel_environment()   # the kernel has azureml-dataprep and pandas
    # about 40 bytes of CSV text a mini-batch: the rows are "0,0" to "11,110", 3 to 7 bytes each
    step = parallel_step(cluster, entry_folder(cluster, TABLE), table, environment=kernel, mini_batch_size="40",
                         process_count_per_node=1)
    run = cluster.experiment.submit(Pipeline(cluster.ws, steps=[step]))
    assert run.wait_for_completion(show_output=False) == "Finished"
    step_run = run.find_step_run("score")[0]
    rows = output_lines(step_run, cluster.work / "out")
    assert sorted(rows, key=lambda r: int(r.split()[0])) == ["{} {} {}".format(i, 10 * i, 11 * i) for i in range(12)]
    master = log_text(step_run, "logs/sys/master_role.txt", cluster.work / "master.txt")
    assert "2 mini batches were created (12 items)" in master


def test_an_init_that_always_raises_fails_the_step_after_three_tries_per_process(cluster):
    dataset = file_dataset(cluster, "few", ["1", "2"])
    folder = entry_folder(cluster, "def init():\n    raise RuntimeError('no model here')\n"
                                   "def run(mini_batch):\n    return mini_batch\n")
    run = cluster.experiment.submit(Pipeline(cluster.ws, steps=[
        parallel_step(cluster, folder, dataset, process_count_per_node=1)]))
    assert run.wait_for_completion(show_output=False, raise_on_error=False) == "Failed"
    step_run = run.find_step_run("score")[0]
    message = step_run.get_details()["error"]["error"]["message"]
    assert "init() failed 3 times on node 0: init() raised RuntimeError: no model here" in message
    errors = log_text(step_run, "logs/user/error.txt", cluster.work / "errors.txt")
    assert [line.split(" ", 2)[2] for line in errors.splitlines()] == [
        "0 process00{}: RuntimeError: no model here".format(i) for i in range(3)]
