"""The time a report is made at: ``SOURCE_DATE_EPOCH`` when set, so rebuilt evidence is identical."""
from __future__ import annotations

import datetime as dt
import os

from checker.errors import ConfigError


def now() -> dt.datetime:
    """UTC, whole seconds; ``SOURCE_DATE_EPOCH`` (reproducible-builds.org) wins over the clock."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch is None:
        return dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    try:
        return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc)
    except (ValueError, OverflowError, OSError):
        raise ConfigError("SOURCE_DATE_EPOCH", "", f"`{epoch}` is not a count of seconds since 1970") from None
