import sys

from azureml_emulator.tools.cli import main

sys.exit(main())
