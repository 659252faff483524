"""A command job's command line: which runs are command runs, and the data placeholders in the
command replaced by their local paths wherever they stand in it."""
from pathlib import Path

from azureml_emulator.data_access.outputs import Output
from azureml_emulator.execution import job_command


def test_a_run_with_a_command_and_no_script_is_a_command_run():
    assert job_command.command({"script": None, "command": ["python", "-m", "pkg", "&&", "echo", "ok"]}) == \
        "python -m pkg && echo ok"
    assert job_command.command({"script": "train.py", "command": ""}) is None
    assert job_command.command({"script": None, "command": "  "}) is None


def test_placeholders_inside_the_command_become_local_paths():
    text = ("cat DatasetConsumptionConfig:digits/a.txt DatasetConsumptionConfig:digits2 > "
            "DatasetOutputConfig:out/x && ls $AZUREML_DATAREFERENCE_raw DatasetConsumptionConfig:unknown")
    replaced = job_command.substitute(text, {"digits": "/d", "digits2": "/d2"}, {"raw": "/r"},
                                      [Output("out", Path("/o"))])
    assert replaced == "cat /d/a.txt /d2 > /o/x && ls /r DatasetConsumptionConfig:unknown"
