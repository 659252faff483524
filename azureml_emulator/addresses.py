"""Where the emulated Azure ML services live: a host that cannot exist outside this process.

``.invalid`` is a reserved top-level domain, so no request to it can ever leave the
machine, even if interception were somehow bypassed.
"""
EMULATOR_HOST = "azureml-emulator.invalid"
EMULATOR_BASE_URL = "https://" + EMULATOR_HOST
