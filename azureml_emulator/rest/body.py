"""Reading a request body as JSON, with the limits Azure's services put on it.

Azure ML's services are .NET (Json.NET): they read the literals ``NaN``, ``Infinity`` and
``-Infinity``, which the SDK sends for such metric values (msrest writes bodies with Python's
`json`), so those are read, as Python reads them; a value of the wrong type where a name or
another field is expected is refused where that field is read (`fields`). Json.NET stops at a
nesting depth of 64 (its default ``MaxDepth``, as System.Text.Json's): the depth is measured on
the text, so a body nested so deep that the parser would run out of stack is refused the same way.
The standard library's parser is used (the emulator writes with it, and it needs no dependency).
"""
from __future__ import annotations

import json
import re
from typing import Any

from azureml_emulator.errors import BadRequest

MAX_DEPTH = 64   # System.Text.Json's and Json.NET's default MaxDepth

_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_INNERMOST = re.compile(r"\[\]|\{\}")


def parse(data: bytes | str, what: str = "The request body") -> Any:
    """``data`` parsed as JSON, or `BadRequest` saying what was wrong and what is expected.
    ``what`` names the document in the message ("The request body", "definition.json")."""
    too_deep = BadRequest("{} is nested too deeply: expected JSON at most {} arrays or objects deep."
                          .format(what, MAX_DEPTH))
    try:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
        value = json.loads(text)
    except RecursionError:
        raise too_deep from None
    except (UnicodeDecodeError, ValueError) as error:
        raise BadRequest("{} is not valid UTF-8 JSON ({}): expected a JSON document.".format(what, error)) from None
    if isinstance(value, (dict, list)) and depth_exceeds(text, MAX_DEPTH):
        raise too_deep
    return value


def depth_exceeds(text: str, limit: int) -> bool:
    """Whether the valid JSON ``text`` nests arrays and objects more than ``limit`` deep:
    strings dropped, then the innermost pairs of brackets removed once per level."""
    if text.count("[") + text.count("{") <= limit:
        return False
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
    for _level in range(limit):
        brackets = _INNERMOST.sub("", brackets)
        if not brackets:
            return False
    return True

