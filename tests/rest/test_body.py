"""Request bodies read as Azure's .NET services read JSON: at most 64 levels deep, NaN and
Infinity read; every refusal a BadRequest saying what is expected."""
import json
import math

import pytest

from azureml_emulator.addresses import EMULATOR_BASE_URL
from azureml_emulator.errors import BadRequest
from azureml_emulator.rest import body
from azureml_emulator.rest.request import Request

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


def test_nan_infinity_and_numbers_beyond_a_double_are_read_as_json_net_reads_them():
    """The SDK sends run.log('loss', float('nan')) as a bare NaN, and Azure's services read it."""
    value = body.parse('{"a": NaN, "b": Infinity, "c": -Infinity, "d": 1e999}')
    assert math.isnan(value["a"]) and value["b"] == value["d"] == math.inf and value["c"] == -math.inf


def test_the_document_is_named_in_the_message():
    with pytest.raises(BadRequest, match="^definition.json is nested too deeply"):
        body.parse(nested(65).encode(), "definition.json")
    with pytest.raises(BadRequest, match=r"^definition.json is not valid UTF-8 JSON \('utf-8' codec"):
        body.parse(b"\xff", "definition.json")


def test_a_multipart_file_that_is_itself_multipart_is_refused_with_a_400():
    """The part named as the file holds parts of its own, not a file: a BadRequest (its content
    was read as None, and parsing it was a 500)."""
    inner = "--in\r\nContent-Type: application/json\r\n\r\n{}\r\n--in--\r\n"
    sent = ('--out\r\nContent-Disposition: form-data; name="definition.json"; filename="definition.json"\r\n'
            "Content-Type: multipart/mixed; boundary=in\r\n\r\n" + inner + "\r\n--out--\r\n").encode()
    request = Request.from_url("POST", EMULATOR_BASE_URL + "/history/v1.0/runs", sent, None,
                               {"Content-Type": "multipart/form-data; boundary=out"})
    with pytest.raises(BadRequest) as refused:
        request.json_file("definition.json")
    assert refused.value.message == "The multipart body's definition.json part is not a file"
