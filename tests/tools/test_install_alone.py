"""The emulator installs on its own into a kernel with its own stack (here scikit-learn 1.5,
as compute instances often have), without the tutorial's pins, and works there."""
import subprocess
import sys
import textwrap
from pathlib import Path

from azureml_emulator.environments.builder import uv_binary

REPO = Path(__file__).resolve().parents[2]

FLOW = textwrap.dedent("""
    import sklearn
    from azureml.core import Experiment, Workspace
    from azureml_emulator import emulate
    with emulate(home=HOME):
        ws = Workspace.from_config()
        run = Experiment(ws, "alone").start_logging(snapshot_directory=None)
        run.log("sklearn", sklearn.__version__)
        run.complete()
        print("METRICS", run.get_metrics(), run.get_status())
    """)


def test_the_emulator_alone_goes_into_a_kernel_with_an_older_scikit_learn(tmp_path):
    venv = tmp_path / "kernel"
    subprocess.run([uv_binary(), "venv", "--quiet", "--python", sys.executable, str(venv)], check=True)
    python = str(venv / "bin" / "python")
    subprocess.run([uv_binary(), "pip", "install", "--quiet", "--python", python, "scikit-learn==1.5.*",
                    "numpy<2", str(REPO)], check=True, cwd=tmp_path)
    listing = subprocess.run([uv_binary(), "pip", "freeze", "--python", python], capture_output=True, text=True,
                             check=True).stdout
    installed = dict(line.split("==", 1) for line in listing.splitlines() if "==" in line)
    assert installed["scikit-learn"].startswith("1.5.")
    for tutorial_only in ("msgspec", "pysimdjson", "matplotlib", "nbclient", "azureml-opendatasets"):
        assert tutorial_only not in installed, tutorial_only
    done = subprocess.run([python, "-c", FLOW.replace("HOME", repr(str(tmp_path / "home")))], capture_output=True,
                          text=True, cwd=tmp_path, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "METRICS {'sklearn': '1.5." in done.stdout and "Completed" in done.stdout
