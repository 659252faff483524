"""Paging as Azure pages: every list route answers one page at a time, in one place.

A listing is put in a total order (a key per item, unique within the listing, e.g. the
creation time then the id), and a page is the first ``size`` items after the cursor. The
cursor is the key of the last item of the previous page, handed to the client as an opaque
token (keyset paging): an item added between two pages either sorts before the cursor (and
is not listed) or after it (and is), so no item already there is skipped or repeated.

The services hand the token back in three ways, all made here:

* ``continuationToken`` in the body, sent back as a query parameter or in the query's JSON
  body (run history, datasets, datastores, environments, artifacts, metrics);
* ``nextLink``, the whole URL of the next page with ``$skipToken`` (Model Management);
* ``next_page_token``, sent back as ``page_token`` (MLflow).
"""
from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any, Callable, Generic, Sequence, TypeVar
from urllib.parse import urlencode

from azureml_emulator.addresses import EMULATOR_BASE_URL
from azureml_emulator.errors import BadRequest

T = TypeVar("T")
Key = Callable[[Any], tuple]

# Page sizes when the client asks for none (the SDK's own default where it has one).
RUN_HISTORY_PAGE = 500     # _restclient.constants.DEFAULT_PAGE_SIZE, what the SDK asks of run history
DEFAULT_PAGE = 100         # the other services' pages when nothing is asked
MMS_MAX_PAGE = 255         # Model Management's largest page (Model.list's page_count limit)
MLFLOW_RUNS_PAGE = 1000    # MLflow's SEARCH_MAX_RESULTS_DEFAULT


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a listing: its items, and the token of the next page (None on the last)."""

    items: list[T]
    token: str | None


def encode(cursor: tuple) -> str:
    """The opaque token of a cursor (a key of JSON values)."""
    return base64.urlsafe_b64encode(json.dumps(list(cursor), separators=(",", ":")).encode()).decode()


def decode(token: Any) -> tuple:
    """The cursor a token stands for; a token the emulator did not make (or not text) is a 400."""
    if not isinstance(token, str):
        raise BadRequest("The continuation token is {}: expected the text this service handed out".format(
            "a JSON " + {bool: "boolean", int: "number", float: "number", list: "array", dict: "object"}.get(
                type(token), type(token).__name__)))
    try:
        cursor = json.loads(base64.urlsafe_b64decode(token.encode("ascii") + b"=" * (-len(token) % 4)))
    except (ValueError, UnicodeError, binascii.Error):
        cursor = None
    if not isinstance(cursor, list):
        raise BadRequest("The continuation token {!r} is not one this service handed out".format(token[:100]))
    return tuple(cursor)


def page_size(asked: Any, default: int, maximum: int | None = None) -> int:
    """The page size to answer with: what the client asked (capped at ``maximum``), else ``default``."""
    if asked in (None, "", 0):
        return default
    try:
        size = int(asked)
    except (TypeError, ValueError):
        raise BadRequest("The page size {!r} is not a whole number".format(asked)) from None
    if size < 1:
        raise BadRequest("The page size is {}: expected at least 1".format(size))
    return min(size, maximum) if maximum else size


def paginate(items: Sequence[T], key: Key, size: int, token: str | None = None,
             descending: bool = False) -> Page[T]:
    """The page of ``items`` after ``token``'s cursor, in the order of ``key`` (reversed when
    ``descending``). ``key`` must be a total order: unique per item, of JSON values."""
    ordered = sorted(items, key=key, reverse=descending)
    if token:
        cursor = decode(token)
        try:
            ordered = [item for item in ordered if (key(item) < cursor if descending else key(item) > cursor)]
        except TypeError:
            raise BadRequest("The continuation token {!r} does not fit this listing".format(token[:100])) from None
    chosen = ordered[:size]
    more = len(ordered) > len(chosen)
    return Page(chosen, encode(tuple(key(chosen[-1]))) if more and chosen else None)


def continuation_body(page: Page, render: Callable[[Any], Any] = lambda item: item) -> dict:
    """``{"value": [...], "continuationToken": ...}``: run history's, datasets', artifacts' shape."""
    return {"value": [render(item) for item in page.items], "continuationToken": page.token}


def next_link(path: str, query: dict[str, str], token: str | None, parameter: str = "$skipToken") -> str | None:
    """The URL of the next page (Model Management's ``nextLink``): this request's, with ``parameter``
    set to ``token``. None on the last page."""
    if token is None:
        return None
    return "{}{}?{}".format(EMULATOR_BASE_URL, path, urlencode({**query, parameter: token}))
