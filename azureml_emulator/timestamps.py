"""Timestamps as the emulated services write them (UTC, ISO 8601)."""
from __future__ import annotations

import time
from datetime import datetime, timezone


def utc_now_iso() -> str:
    """Now, as Model Management writes it: ``2026-11-23T01:02:03.456789+00:00``."""
    return datetime.now(timezone.utc).isoformat()


def iso(timestamp: float) -> str:
    """A POSIX time as run history, compute and datasets write it: ``2026-11-23T01:02:03.456Z``."""
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(timestamp)) + ".{:03d}Z".format(int(timestamp % 1 * 1000))


def posix(text: str) -> float:
    """The POSIX time of an ISO 8601 timestamp, as either function above writes it."""
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
