"""Reading a request body as JSON, with the limits Azure's services put on it.

Azure ML's services are .NET: their JSON readers refuse the literals ``NaN``, ``Infinity``
and ``-Infinity`` (not JSON, though Python's `json` reads them) and numbers beyond a double
(``1e999``, which Python reads as infinity), and stop at a nesting depth of 64 (the default
``MaxDepth`` of both System.Text.Json and Json.NET). The standard library's parser is used
(the emulator writes with it, and it needs no dependency), with those limits added: the
literals and the numbers are refused while parsing, and the depth is measured on the text
(a body nested so deep that the parser would run out of stack is refused the same way).
"""
from __future__ import annotations

import json
import math
import re
from typing import Any, NoReturn

from azureml_emulator.errors import BadRequest

MAX_DEPTH = 64   # System.Text.Json's and Json.NET's default MaxDepth

_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_INNERMOST = re.compile(r"\[\]|\{\}")


class _NotJson(ValueError):
    """A value the parser met that JSON (as Azure reads it) does not allow, with the message to give."""


def _refuse_constant(literal: str) -> NoReturn:
    raise _NotJson("{} is not a JSON value (JSON has no NaN or infinity): expected a finite number or null"
                   .format(literal))


def _finite(literal: str) -> float:
    number = float(literal)
    if not math.isfinite(number):
        raise _NotJson("the number {} is too large for a double: expected a finite number".format(literal[:40]))
    return number


def _whole(literal: str) -> int:
    if len(literal.lstrip("-")) > 308:   # beyond a double's range (1.8e308)
        raise _NotJson("the number {}... ({} digits) is too large for a double: expected a finite number"
                       .format(literal[:20], len(literal.lstrip("-"))))
    return int(literal)


def parse(data: bytes | str, what: str = "The request body") -> Any:
    """``data`` parsed as JSON, or `BadRequest` saying what was wrong and what is expected.
    ``what`` names the document in the message ("The request body", "definition.json")."""
    too_deep = BadRequest("{} is nested too deeply: expected JSON at most {} arrays or objects deep."
                          .format(what, MAX_DEPTH))
    try:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
        value = json.loads(text, parse_constant=_refuse_constant, parse_float=_finite, parse_int=_whole)
    except _NotJson as error:
        raise BadRequest("{} is not valid JSON: {}.".format(what, error)) from None
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

