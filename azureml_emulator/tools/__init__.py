"""What people run around the emulator: the command line (`cli`, over `housekeeping`),
the Jupyter kernel (`kernel`), the pytest plugin (`pytest_plugin`), the notebook runner
behind `make run` (`run_notebook`) and the README's table of emulated operations (`coverage`)."""
