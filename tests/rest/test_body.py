"""Request bodies read as Azure's .NET services read JSON: at most 64 levels deep, and no
NaN, Infinity or number beyond a double; every refusal a BadRequest saying what is expected."""
import json

import pytest

from azureml_emulator.errors import BadRequest
from azureml_emulator.rest import body

DEEP = "expected JSON at most 64 arrays or objects deep"


def nested(depth, opening="[", closing="]"):
    return opening * depth + closing * depth


def test_json_up_to_64_levels_deep_is_read():
    assert body.parse(nested(64)) == json.loads(nested(64))
    assert body.parse('{"a": ' * 63 + '{}' + '}' * 63) == json.loads('{"a": ' * 63 + '{}' + '}' * 63)


@pytest.mark.parametrize("text", [nested(65), '{"a": ' * 64 + '[]' + '}' * 64, nested(100_000),
                                  "[" * 100_000, '[{"x": [' * 30 + "]}]" * 30])
def test_deeper_json_is_refused_without_crashing_the_parser(text):
    with pytest.raises(BadRequest) as refused:
        body.parse(text)
    assert refused.value.message == "The request body is nested too deeply: " + DEEP + "."


def test_brackets_inside_strings_do_not_count_as_nesting():
    text = json.dumps(["[" * 200, {"k{": "]\\\"[" * 100}, "\\" * 3])
    assert body.parse(text) == json.loads(text)


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_are_refused_as_net_refuses_them(literal):
    with pytest.raises(BadRequest) as refused:
        body.parse('{"name": %s}' % literal)
    assert refused.value.message == (
        "The request body is not valid JSON: {} is not a JSON value (JSON has no NaN or infinity): expected a "
        "finite number or null.".format(literal))


@pytest.mark.parametrize("number, shown", [("1e999", "1e999"), ("-2.5E400", "-2.5E400"),
                                           ("9" * 400, "9" * 20 + "... (400 digits)")])
def test_numbers_beyond_a_double_are_refused(number, shown):
    with pytest.raises(BadRequest) as refused:
        body.parse("[1, %s]" % number)
    assert refused.value.message == (
        "The request body is not valid JSON: the number {} is too large for a double: expected a finite number."
        .format(shown))
    assert body.parse("[1.7e308, %s]" % ("9" * 308)) == [1.7e308, int("9" * 308)]


def test_the_document_is_named_in_the_message():
    with pytest.raises(BadRequest, match="^definition.json is nested too deeply"):
        body.parse(nested(65).encode(), "definition.json")
    with pytest.raises(BadRequest, match=r"^definition.json is not valid UTF-8 JSON \('utf-8' codec"):
        body.parse(b"\xff", "definition.json")
