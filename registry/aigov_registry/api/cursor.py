"""Opaque cursors for keyset pagination: the sort key of the last row sent, which the next page starts after."""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime

from aigov_registry.errors import BadRequest


def encode_cursor(moment: datetime, row_id: int | str) -> str:
    """The cursor after the row at ``moment`` with ``row_id``."""
    text = json.dumps([moment.isoformat(), row_id], separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode("utf-8")).decode("ascii").rstrip("=")


def decode_cursor(cursor: str, id_type: type[int] | type[str]) -> tuple[datetime, int | str]:
    """The sort key a cursor holds; BadRequest when it is not one this registry gave out."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        moment, row_id = json.loads(raw)
        parsed = datetime.fromisoformat(moment)
        if parsed.tzinfo is None or type(row_id) is not id_type:
            raise ValueError("not a cursor")
    except (ValueError, TypeError, binascii.Error):
        raise BadRequest(
            "The cursor is not one this registry gave out: pass next_cursor from the previous page unchanged, "
            "or leave it out to start from the beginning."
        ) from None
    return parsed, row_id
