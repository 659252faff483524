"""The compute-instance kernel, built once per session (see ci_kernel.py)."""
import pytest

from ci_kernel import find_python, install_kernelspec, prepared

# The notebooks here run only in that kernel, through test_compute_instance.py, never in the
# session's own kernel (`make test` passes --nbval, which would collect every notebook under tests/).
collect_ignore_glob = ["*.ipynb"]


@pytest.fixture(scope="session")
def compute_instance_kernel(tmp_path_factory):
    python = find_python()
    if python is None:
        pytest.skip("no Python 3.10 on this machine (looked on PATH, under pyenv and uv's Pythons): "
                    "the compute-instance kernel is a Python 3.10 environment")
    scratch = tmp_path_factory.mktemp("compute-instance-kernel")
    with prepared(python, scratch) as kernel:
        jupyter_path = install_kernelspec(kernel, scratch / "prefix")
        print("compute-instance kernel: {} (built in {:.0f} s, emulator installed in {:.1f} s)".format(
            kernel.venv, kernel.build_seconds, kernel.install_seconds))
        yield kernel, jupyter_path
