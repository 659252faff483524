"""What people run around the emulator: the command line (`cli`, over `housekeeping`),
the Jupyter kernel (`kernel`), the pytest plugin (`pytest_plugin`), the notebook runner
behind `make run` (`run_notebook`) and the generator of the coverage page,
docs/emulator/coverage.md (`coverage`, with `mlflow_operations`)."""
