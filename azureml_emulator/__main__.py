"""`python -m azureml_emulator ...`: the housekeeping command line (see `tools.cli`)."""
import sys

from azureml_emulator.tools.cli import main

sys.exit(main())
