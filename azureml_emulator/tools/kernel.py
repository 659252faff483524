"""The `azureml-emulator` Jupyter kernel: IPython with the emulator switched on before
the first cell runs, so unchanged notebooks talk to it."""
from __future__ import annotations


def main() -> None:
    from azureml_emulator.runtime.activation import activate
    activate()
    from ipykernel import kernelapp
    kernelapp.launch_new_instance()


if __name__ == "__main__":
    main()
