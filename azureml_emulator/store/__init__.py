"""The emulator's state: one SQLite database per emulator home (see `database`)."""
from azureml_emulator.store.database import Store

__all__ = ["Store"]
