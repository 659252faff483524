"""The tokens the emulator hands out: unsigned JWTs. The SDK only decodes a token for its
claims (expiry, tenant, run id); nothing here checks a signature."""
from __future__ import annotations

import base64
import json
from typing import Any

NEVER_EXPIRES = 4102444800   # 2100-01-01, as ``exp``


def _segment(part: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(part).encode()).decode().rstrip("=")


def unsigned_jwt(claims: dict[str, Any]) -> str:
    """``header.claims.`` with the "none" algorithm; ``exp`` defaults to `NEVER_EXPIRES`."""
    return "{}.{}.".format(_segment({"alg": "none", "typ": "JWT"}), _segment({"exp": NEVER_EXPIRES, **claims}))
