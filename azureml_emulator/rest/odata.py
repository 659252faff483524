"""The OData filter expressions the SDK builds for queries (`_restclient/_odata`), evaluated
against stored records: ``(Tags/k eq 'v') and (ParentRunId eq null)`` and the like.

Grammar: or-expressions of and-expressions of comparisons (``eq ne gt ge lt le``) or
parenthesised expressions; operands are field paths (``Status``, ``Properties/key``),
quoted strings (the SDK quotes with ``"``), numbers, ``true``/``false`` and ``null``; on the
right of a comparison a bare word is a string, as the SDK writes run types and statuses.
A tag or property name may hold spaces (the SDK does not quote it). A tag or property the record lacks is MISSING, so the SDK's "has tag k" filter,
``(Tags/k ne null or Tags/k eq null)``, holds only where the tag is set.
"""
from __future__ import annotations

import re
from typing import Any, Callable

from azureml_emulator.errors import BadRequest

TOKEN = re.compile(r"""\s*(?:(\()|(\))|'((?:[^']|'')*)'|"((?:[^"]|"")*)"|([^\s()'"]+))""")
MISSING = object()   # a field the record does not have: no comparison holds, `eq null` included


def _compare(operator: str, left: Any, right: Any) -> bool:
    if left is MISSING or right is MISSING:
        return False
    return COMPARE[operator](left, right)


COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "eq": lambda a, b: a == b, "ne": lambda a, b: a != b,
    "gt": lambda a, b: a is not None and b is not None and a > b,
    "ge": lambda a, b: a is not None and b is not None and a >= b,
    "lt": lambda a, b: a is not None and b is not None and a < b,
    "le": lambda a, b: a is not None and b is not None and a <= b,
}
LITERALS = {"null": None, "true": True, "false": False}
Field = Callable[[str], Any]   # a field path -> its value in the record, or MISSING


def _tokens(text: str) -> list[tuple[str, str]]:
    tokens, position = [], 0
    while position < len(text.rstrip()):
        match = TOKEN.match(text, position)
        if match is None:
            raise BadRequest("Cannot read the filter {!r} at {!r}".format(text, text[position:position + 20]))
        opening, closing, single, double, word = match.groups()
        tokens.append(("(", "(") if opening else (")", ")") if closing else
                      ("str", single.replace("''", "'")) if single is not None else
                      ("str", double.replace('""', '"')) if double is not None else ("word", word))
        position = match.end()
    return tokens


def _is_key_path(token: tuple[str, str] | None) -> bool:
    return token is not None and token[0] == "word" and token[1].lower().startswith(("tags/", "properties/"))


def matches(expression: str | None, field: Field) -> bool:
    """Whether the record that ``field`` reads satisfies ``expression`` (None: no filter)."""
    if not expression:
        return True
    tokens = _tokens(expression)
    position = 0

    def peek() -> tuple[str, str] | None:
        return tokens[position] if position < len(tokens) else None

    def take() -> tuple[str, str]:
        nonlocal position
        if position >= len(tokens):
            raise BadRequest("The filter {!r} ends too early".format(expression))
        position += 1
        return tokens[position - 1]

    def operand(value_side: bool = False) -> Any:
        kind, text = take()
        if kind == "str":
            return text
        if kind != "word":
            raise BadRequest("Unexpected {!r} in the filter {!r}".format(text, expression))
        if text in LITERALS:
            return LITERALS[text]
        if re.fullmatch(r"-?\d+(\.\d+)?", text):
            return float(text) if "." in text else int(text)
        # The SDK writes some values bare: `(RunType eq azureml.scriptrun)`, `(Status eq Completed)`.
        return text if value_side else field(text)

    def key_path() -> str:
        """``Tags/<name>`` or ``Properties/<name>``: the SDK writes the name unquoted, so a name
        with spaces (``Tags/worth another look``) runs until the comparison operator."""
        words = [take()[1]]
        while (token := peek()) is not None and token[0] == "word" and token[1].lower() not in COMPARE:
            words.append(take()[1])
        return " ".join(words)

    def primary() -> bool:
        if peek() == ("(", "("):
            take()
            value = disjunction()
            if take() != (")", ")"):
                raise BadRequest("Unbalanced parentheses in the filter {!r}".format(expression))
            return value
        left = field(key_path()) if _is_key_path(peek()) else operand()
        operator = take()[1].lower()
        if operator not in COMPARE:
            raise BadRequest("Unknown operator {!r} in the filter {!r}".format(operator, expression))
        return _compare(operator, left, operand(value_side=True))

    def conjunction() -> bool:
        value = primary()
        while (token := peek()) is not None and token[1].lower() == "and":
            take()
            value = primary() and value
        return value

    def disjunction() -> bool:
        value = conjunction()
        while (token := peek()) is not None and token[1].lower() == "or":
            take()
            value = conjunction() or value
        return value

    result = disjunction()
    if position != len(tokens):
        raise BadRequest("Unexpected {!r} in the filter {!r}".format(tokens[position][1], expression))
    return result
