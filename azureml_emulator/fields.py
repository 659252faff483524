"""The JSON types of the fields of a request document, checked where the document is read.

A handler or backend that reads a field names the type it needs (`check_fields`), so a
client that sends ``"properties": [1]`` gets a 400 naming the field and the type expected,
as Azure's services answer a body their model cannot bind, rather than a Python error deep
in the emulator. Backends use it too (it is no part of the HTTP layer).
"""
from __future__ import annotations

from typing import Any, Mapping

from azureml_emulator.errors import BadRequest


def json_type(value: Any) -> str:
    """The JSON name of ``value``'s type: object, array, string, number, boolean or null."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    names: dict[type, str] = {dict: "object", list: "array", str: "string"}
    return names.get(type(value), "number")


def check_fields(document: dict, expected: Mapping[str, str], where: str = "The request body") -> dict:
    """``document``, when each field ``expected`` names is absent, null or of the JSON type given
    ("object", "array", "string", "number", "boolean"); else `BadRequest` naming the field."""
    for name, kind in expected.items():
        value = document.get(name)
        if value is not None and json_type(value) != kind:
            raise BadRequest("{}: '{}' is a JSON {}: expected a JSON {} (or null).".format(
                where, name, json_type(value), kind))
    return document
