"""The dataset service: saved and registered datasets, with versions."""
