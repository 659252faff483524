"""The `azureml-emulator` Jupyter kernel: IPython with the emulator switched on before
the first cell runs, so unchanged notebooks talk to it.

`install` writes its kernelspec where a Jupyter finds it (as `ipykernel install` does),
starting this interpreter, so it works from an editable install or a source checkout and
for a Jupyter that lives in another environment:

    azureml-emulator kernel install [--user | --sys-prefix | --prefix P] [--name N] [--display-name D]
"""
from __future__ import annotations

import json
import site
import sys
import tempfile
from pathlib import Path

KERNEL_NAME = "azureml-emulator"
DISPLAY_NAME = "Python 3 (Azure ML emulator, offline)"
PACKAGE_PARENT = Path(__file__).resolve().parents[2]


def kernelspec() -> dict:
    spec = {"argv": [sys.executable, "-m", "azureml_emulator.tools.kernel", "-f", "{connection_file}"],
            "display_name": DISPLAY_NAME, "language": "python", "metadata": {"debugger": True}}
    installed_in = {Path(p).resolve() for p in site.getsitepackages() + [site.getusersitepackages()]}
    if PACKAGE_PARENT not in installed_in:   # a source checkout or an editable install's folder
        spec["env"] = {"PYTHONPATH": str(PACKAGE_PARENT)}
    return spec


def install(name: str = KERNEL_NAME, display_name: str | None = None, user: bool = False,
            prefix: str | None = None) -> str:
    """Write the kernelspec; returns the folder it was written to."""
    from jupyter_client.kernelspec import KernelSpecManager
    spec = kernelspec()
    if display_name:
        spec["display_name"] = display_name
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "kernel.json").write_text(json.dumps(spec, indent=1))
        return KernelSpecManager().install_kernel_spec(folder, kernel_name=name, user=user, prefix=prefix,
                                                       replace=True)


def main() -> None:
    from azureml_emulator.runtime.activation import activate
    activate()
    from ipykernel import kernelapp
    kernelapp.launch_new_instance()


if __name__ == "__main__":
    main()
