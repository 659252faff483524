"""Environment build benchmark: how long a deployment's environment takes to build and
to reuse, how fast an impossible pin fails, and the notebook end to end (make run's
runner) with the build cached against serving with the kernel's own Python.

    python benchmarks/bench_environments.py [--skip-notebook]

Builds go to a fresh build cache each time (uv's own download cache stays warm, as on a
machine that has installed these packages before), so "first build" is a real build.
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time
from importlib.metadata import version
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from azureml.core import Environment  # noqa: E402
from azureml.core.conda_dependencies import CondaDependencies  # noqa: E402

from azureml_emulator.environments import builder, definition  # noqa: E402
from azureml_emulator.errors import BuildError  # noqa: E402

NOTEBOOK = REPO / "img-classification-part2-deploy.ipynb"


def spec(name, pip_packages):
    env = Environment(name)
    env.python.conda_dependencies = CondaDependencies.create(python_version="%d.%d" % sys.version_info[:2],
                                                             pip_packages=pip_packages)
    return definition.read(dict(Environment._serialize_to_dict(env), version="1"))


def tutorial_spec():
    return spec("tutorial-env", ["azureml-defaults"] + ["{}=={}".format(p, version(p)) for p in
                                                       ("scikit-learn", "numpy", "joblib", "msgspec", "pysimdjson")])


def timed(action):
    started = time.perf_counter()
    try:
        action()
        outcome = "ok"
    except BuildError as error:
        outcome = "failed: " + error.message.splitlines()[2].strip()[:70]
    return time.perf_counter() - started, outcome


def run_notebook(mode, output_dir):
    env = dict(os.environ, AZUREML_EMULATOR_ENVIRONMENTS=mode)
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "azureml_emulator.tools.run_notebook", str(NOTEBOOK),
                           "--output-dir", str(output_dir)], cwd=REPO, env=env,
                          capture_output=True, text=True)
    return time.perf_counter() - started, "ok" if done.returncode == 0 else "failed"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-notebook", action="store_true")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-env-") as folder:
        os.environ[builder.CACHE_ENV_VAR] = str(Path(folder) / "builds")
        tutorial = tutorial_spec()
        rows.append(("first build of tutorial-env (uv cache warm)",) + timed(lambda: builder.prepare(tutorial)))
        rows.append(("reuse of that build",) + timed(lambda: builder.prepare(tutorial)))
        rows.append(("impossible pin scikit-learn==0.22.1 fails",)
                    + timed(lambda: builder.prepare(spec("ancient", ["scikit-learn==0.22.1"]))))
        del os.environ[builder.CACHE_ENV_VAR]
        if not args.skip_notebook:
            builder.prepare(tutorial)   # the user's own cache, as make run uses it
            for mode, label in (("current", "make run's notebook, kernel's Python (before builds)"),
                                ("build", "make run's notebook, build cached (now)")):
                rows.append((label,) + run_notebook(mode, Path(folder) / mode))
    print("| what | seconds | outcome |")
    print("|---|---|---|")
    for label, seconds, outcome in rows:
        print("| {} | {:.2f} | {} |".format(label, seconds, outcome))


if __name__ == "__main__":
    main()
