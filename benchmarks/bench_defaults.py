"""The SDK's defaults benchmark: each curated environment's first build (uv's download cache
warm, the build cache fresh) and its cached rebuild, then a web service in the SDK's default
Environment (Python 3.8, azureml-defaults) from `Model.deploy` to Healthy with its build cached.

    python benchmarks/bench_defaults.py [--skip-service]

Target: the Python 3.8 service Healthy within 10 s of deploy.
"""
import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from azureml_emulator.environments import builder, curated, definition  # noqa: E402


def build_seconds(name):
    spec = definition.read(curated.definition(name))
    started = time.perf_counter()
    builder.prepare(spec)
    first = time.perf_counter() - started
    started = time.perf_counter()
    assert builder.prepare(spec).reused
    return first, time.perf_counter() - started


def default_service_seconds(work):
    """Seconds from Model.deploy to Healthy, and to the first answer, of a one-line service in
    ``Environment("name")`` (its build made beforehand, as a second deployment finds it)."""
    import joblib
    from azureml.core import Environment, Model, Workspace
    from azureml.core.model import InferenceConfig
    from azureml.core.webservice import AciWebservice

    from azureml_emulator import emulate
    from azureml_emulator.tools import housekeeping
    os.chdir(work)
    joblib.dump({"a": 1}, "model.pkl")
    (work / "score.py").write_text("def init(): pass\ndef run(raw_data): return 'ok'\n")
    environment = Environment("default-env")
    builder.prepare(definition.read(dict(Environment._serialize_to_dict(environment), version="1")))
    with emulate(home=work / "home") as emulator:
        try:
            ws = Workspace.from_config()
            model = Model.register(ws, model_path="model.pkl", model_name="bench")
            started = time.perf_counter()
            service = Model.deploy(ws, "default-py38", [model], InferenceConfig(entry_script="score.py",
                                                                                 environment=environment),
                                   AciWebservice.deploy_configuration(cpu_cores=1, memory_gb=1))
            service.wait_for_deployment()
            healthy = time.perf_counter() - started
            assert service.state == "Healthy" and service.run("{}") == "ok"
            return healthy, time.perf_counter() - started
        finally:
            housekeeping.stop_all(emulator.home)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-service", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as cache:
        os.environ[builder.CACHE_ENV_VAR] = cache
        print("{:<50} {:>12} {:>14}".format("curated environment", "first build", "cached build"))
        for name in sorted(curated.DEFINITIONS):
            first, cached = build_seconds(name)
            print("{:<50} {:>10.1f} s {:>12.2f} s".format(name, first, cached), flush=True)
    if not args.skip_service:
        with tempfile.TemporaryDirectory() as work:
            healthy, answered = default_service_seconds(Path(work))
        print("Web service in Environment() (Python 3.8), build cached: Healthy {:.1f} s after deploy, first "
              "answer {:.1f} s (target: Healthy within 10 s)".format(healthy, answered))


if __name__ == "__main__":
    main()
