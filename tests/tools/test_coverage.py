"""The README's table of emulated operations is generated from the routing table and stays current."""
from azureml_emulator.rest.routes import ROUTER
from azureml_emulator.tools import coverage
from helpers import REPO


def test_the_readme_table_matches_the_code():
    assert coverage.main(["--check", str(REPO / "README.md")]) == 0


def test_every_route_is_a_row_naming_the_sdk_operation_where_there_is_one():
    rows = [line for line in coverage.table().splitlines() if line.startswith("| ") and "`" in line]
    assert len(rows) == len(ROUTER.routes)
    assert any("| GET | `/modelmanagement/v1.0{ws}/models/{model_id}` | `MLModelsOperations.query_by_id`" in row
               for row in rows)


def test_an_out_of_date_table_is_reported(tmp_path, capsys):
    stale = tmp_path / "README.md"
    stale.write_text("intro\n{}\n| old | table |\n{}\nrest\n".format(coverage.START, coverage.END))
    assert coverage.main(["--check", str(stale)]) == 1
    assert "out of date" in capsys.readouterr().err
    assert coverage.main(["--write", str(stale)]) == 0
    assert coverage.main(["--check", str(stale)]) == 0
    assert stale.read_text().startswith("intro\n") and stale.read_text().endswith("rest\n")
