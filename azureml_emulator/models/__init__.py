"""The model registry: assets and registered models (`backend`) and their endpoints (`api`)."""
