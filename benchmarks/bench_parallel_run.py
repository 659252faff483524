"""ParallelRunStep benchmark: part 3's batch scoring offline (the 10,000 MNIST test images as
one .npy file each, registered as a FileDataset, scored by a ParallelRunStep pipeline with 2
processes, its Environment built already), and the emulator's overhead per mini-batch (an entry
script whose run() returns its input at once, one file per mini-batch).

    python benchmarks/bench_parallel_run.py [--overhead-files 400]

Part 3's model is a logistic regression trained here on 2,000 images (part 1's takes longer to
train and scores the same way).
"""
import argparse
import re
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

PROCESSED = re.compile(r"(\d+) of \d+ mini batches processed in ([0-9.]+) s \(([0-9.]+) s from the first")
ECHO = "def run(mini_batch):\n    return mini_batch\n"


def parallel_run(ws, target, environment, folder, dataset, processes, batch_size, name):
    from azureml.core import Experiment
    from azureml.pipeline.core import Pipeline, PipelineData
    from azureml.pipeline.steps import ParallelRunConfig, ParallelRunStep
    config = ParallelRunConfig(source_directory=str(folder), entry_script="entry.py", mini_batch_size=str(batch_size),
                               error_threshold=0, output_action="append_row", environment=environment,
                               compute_target=target, node_count=1, process_count_per_node=processes)
    step = ParallelRunStep(name=name, parallel_run_config=config, inputs=[dataset.as_named_input("images")],
                           output=PipelineData("out", datastore=ws.get_default_datastore()), allow_reuse=False)
    started = time.monotonic()
    run = Experiment(ws, "bench").submit(Pipeline(ws, steps=[step]))
    assert run.wait_for_completion(show_output=False) == "Finished"
    elapsed = time.monotonic() - started
    step_run = run.find_step_run(name)[0]
    master = Path(tempfile.mkdtemp()) / "master.txt"
    step_run.download_file("logs/sys/master_role.txt", str(master))
    batches, total, after_init = PROCESSED.search(master.read_text()).groups()
    return elapsed, int(batches), float(total), float(after_init), step_run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--overhead-files", type=int, default=400)
    args = parser.parse_args()
    import joblib
    from sklearn.linear_model import LogisticRegression
    from azureml.core import Dataset, Model
    from helpers import MNIST_DIR, emulated_cluster, service_environment
    from utils import load_data
    with emulated_cluster("bench-parallel-") as (work, ws, target):
        environment = service_environment("tutorial-env")   # the tutorial's pins
        X = load_data(str(MNIST_DIR / "train-images-idx3-ubyte.gz"), False)[:2000] / 255.0
        y = load_data(str(MNIST_DIR / "train-labels-idx1-ubyte.gz"), True).reshape(-1)[:2000]
        joblib.dump(LogisticRegression(max_iter=300).fit(X, y), "sklearn_mnist_model.pkl")
        Model.register(ws, model_path="sklearn_mnist_model.pkl", model_name="sklearn_mnist")
        store = ws.get_default_datastore()

        # warm the Environment's build (the benchmark is of a cached one)
        warm = work / "warm"
        warm.mkdir()
        (warm / "a.txt").write_text("a")
        (work / "echo").mkdir()
        (work / "echo" / "entry.py").write_text(ECHO)
        tiny = Dataset.File.upload_directory(str(warm), (store, "warm"), show_progress=False)
        parallel_run(ws, target, environment, work / "echo", tiny, 1, 1, "warm")

        started = time.monotonic()
        images = work / "mnist-test-images"
        images.mkdir()
        X_test = load_data(str(MNIST_DIR / "t10k-images-idx3-ubyte.gz"), False)
        for index, image in enumerate(X_test):
            np.save(str(images / "{:05d}.npy".format(index)), image)
        dataset = Dataset.File.upload_directory(str(images), (store, "mnist-test-images"), show_progress=False)
        dataset = dataset.register(ws, "mnist_test_images", create_new_version=True)
        prepared = time.monotonic() - started
        (work / "scoring").mkdir()
        (work / "scoring" / "entry.py").write_text((REPO / "batch-scoring" / "batch_score.py").read_text())
        scored, batches, total, after_init, step_run = parallel_run(
            ws, target, environment, work / "scoring", dataset, 2, 1000, "batch-score-mnist")

        files = work / "overhead"
        files.mkdir()
        for index in range(args.overhead_files):
            (files / "{:04d}.txt".format(index)).write_text(str(index))
        echo_set = Dataset.File.upload_directory(str(files), (store, "overhead"), show_progress=False)
        _e, echo_batches, echo_total, echo_after_init, _s = parallel_run(
            ws, target, environment, work / "echo", echo_set, 2, 1, "overhead")
    print("part 3 offline: the 10,000 images written, uploaded and registered in {:.1f} s; the pipeline, "
          "submit to Finished, {:.1f} s ({} mini batches over 2 processes in {:.1f} s, {:.1f} s of it after the "
          "first worker's init()); in all {:.1f} s".format(prepared, scored, batches, total, after_init,
                                                           prepared + scored))
    print("overhead per mini-batch (run() returns at once, 2 processes, {} mini batches of one file): {:.1f} ms "
          "per mini batch per process ({:.1f} ms of wall time per mini batch)".format(
              echo_batches, 1000 * echo_after_init * 2 / echo_batches, 1000 * echo_after_init / echo_batches))


if __name__ == "__main__":
    main()
