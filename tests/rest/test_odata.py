"""The OData filters the SDK sends with run queries, evaluated on records."""
import pytest

from azureml_emulator.errors import BadRequest
from azureml_emulator.rest.odata import MISSING, matches

RUN = {"Status": "Completed", "Tags/k": "v", "Tags/none": None, "ParentRunId": None, "Number": 3,
       "Tags/worth another look": ""}


def field(path):
    return RUN.get(path, MISSING)


@pytest.mark.parametrize("expression, expected", [
    (None, True),
    ('(Status eq "Completed")', True),
    ("(Status eq 'Failed')", False),
    ('((Tags/k eq "v") and (ParentRunId eq null))', True),
    ('((Tags/k eq "w") and (ParentRunId eq null))', False),
    ('(Tags/k eq "w") or (Status ne "Failed")', True),
    ("(Tags/k ne null or Tags/k eq null)", True),
    ("(Tags/none ne null or Tags/none eq null)", True),
    ("(Tags/absent ne null or Tags/absent eq null)", False),
    ("(Tags/absent ne 'v')", False),
    ("Number gt 2 and Number le 3", True),
    ("Number lt 3", False),
    ("Tags/none gt 1", False),
    ('Status eq "It""s"', False),
    ("(Status eq Completed)", True),
    ("(Status eq Failed)", False),
    ("(Status eq Completed or Tags/k eq v)", True),
    ("(Tags/worth another look ne null or Tags/worth another look eq null) and (Status eq Completed)", True),
    ("(Tags/worth another ne null or Tags/worth another eq null)", False),
])
def test_filters_evaluate_as_odata_does(expression, expected):
    assert matches(expression, field) is expected


@pytest.mark.parametrize("expression, fragment", [
    ("(Status eq 'x'", "ends too early"),
    ("(Status eq 'x'))", r"Unexpected '\)'"),
    ("Status eq", "ends too early"),
    ("Status like 'x'", "Unknown operator 'like'"),
    ("Status eq 'x' 'y'", "Unexpected 'y'"),
])
def test_malformed_filters_are_bad_requests_that_say_why(expression, fragment):
    with pytest.raises(BadRequest, match=fragment):
        matches(expression, field)
