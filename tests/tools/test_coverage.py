"""The coverage page (docs/emulator/coverage.md) is generated from the route table and the
SDK's REST clients, stays current, and adds up."""
import re

import pytest

from azureml_emulator.rest import catalogue
from azureml_emulator.rest.router import Route
from azureml_emulator.runtime.routes import ROUTER, TABLES
from azureml_emulator.tools import coverage
from helpers import REPO

PIPELINES = next(c for c in catalogue.CLIENTS if c.package == "azureml-pipeline-core")
SUMMARY_ROW = re.compile(r"^\| \[(?P<title>[^\]]+)\]\(#[^)]+\) \| .* \| (?P<done>\d+) \| (?P<total>\d+) \|$")


@pytest.fixture(scope="module")
def page():
    return coverage.page()


def test_the_committed_page_is_what_the_code_generates(page, capsys):
    committed = (REPO / "docs" / "emulator" / "coverage.md").read_text(encoding="utf-8")
    assert committed == page, capsys.readouterr().err + (
        "docs/emulator/coverage.md is out of date; regenerate it with: {}".format(coverage.COMMAND))


def test_the_totals_add_up_per_client_and_overall(page):
    summary = [SUMMARY_ROW.match(line) for line in page.splitlines()]
    rows = {m["title"]: (int(m["done"]), int(m["total"])) for m in summary if m}
    assert len(rows) == len(coverage.groups()) == len(catalogue.CLIENTS) + 1
    sections = re.split(r"^## ", page, flags=re.M)[1:]
    for section in sections[:-1]:   # the last is the route table
        title = section.splitlines()[0].replace("`", "")
        yes = len(re.findall(r"^\| yes \|", section, flags=re.M))
        no = len(re.findall(r"^\| no \|", section, flags=re.M))
        assert rows[title] == (yes, yes + no), title
        assert "{} of {} emulated.".format(yes, yes + no) in section
        services = [tuple(map(int, pair)) for pair in re.findall(r"^### .*: (\d+) of (\d+) emulated$", section, flags=re.M)]
        assert tuple(map(sum, zip(*services))) == (yes, yes + no), title
    all_done, all_total = map(int, re.search(r"^\| \*\*all\*\* \| \| \*\*(\d+)\*\* \| \*\*(\d+)\*\* \|$",
                                             page, flags=re.M).groups())
    assert (all_done, all_total) == tuple(map(sum, zip(*rows.values())))
    assert 0 < all_done < all_total


def test_every_client_the_sdk_ships_is_read(page):
    counts = {group.title: len(group.operations) for group in coverage.groups()}
    assert counts["azureml-pipeline-core: `azureml/pipeline/core/_restclients/aeva`"] == 95
    assert all(counts.values()), counts
    # MLflow's RPCs, under the workspace's MLflow base, as azureml-mlflow sends them.
    assert "| yes | `MlflowService.createRun` | POST | `/mlflow/v2.0{ws}/api/2.0/mlflow/runs/create` |" in page
    assert "| no | `ModelRegistryService.renameRegisteredModel` | POST |" in page


def test_a_route_added_to_the_table_makes_its_operation_emulated(monkeypatch):
    template_submit = next(op for op in catalogue.client_operations(PIPELINES)
                           if op.name == "AMLPipelinesAPI10.experiments_template_submit_by_template_id_post")
    assert coverage.answering(template_submit) == []
    route = Route("POST", "/pipelines/v1.0{workspace}/Experiments/TemplateSubmit/{template_id}", lambda request: None)
    monkeypatch.setattr(coverage, "TABLES", TABLES + (("Pipelines", (route,)),))
    assert coverage.answering(template_submit) == [route]
    assert coverage.answering(next(op for op in catalogue.client_operations(PIPELINES)
                                   if op.name == "AMLPipelinesAPI10.experiments_pipeline_submit_by_pipeline_id_post")) == []


def test_every_route_is_a_row_naming_the_sdk_operation_where_there_is_one():
    rows = [line for line in coverage.route_table() if line.startswith("| ") and "`" in line]
    assert len(rows) == len(ROUTER.routes)
    assert any("| GET | `/modelmanagement/v1.0{ws}/models/{model_id}` | `MLModelsOperations.query_by_id`" in row
               for row in rows)


def test_an_out_of_date_page_is_reported_with_the_command(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(coverage, "page", lambda: "# the page\n")
    stale = tmp_path / "coverage.md"
    assert coverage.main(["--check", str(stale)]) == 1      # missing
    stale.write_text("# an old page\n")
    assert coverage.main(["--check", str(stale)]) == 1
    assert "python -m azureml_emulator.tools.coverage --write {}".format(stale) in capsys.readouterr().err
    assert coverage.main(["--write", str(stale)]) == 0
    assert coverage.main(["--check", str(stale)]) == 0
    assert stale.read_text() == "# the page\n"
