from __future__ import annotations

import datetime as dt

import pytest

from checker.clock import now
from checker.errors import ConfigError


def test_source_date_epoch_fixes_the_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1735689600")
    assert now() == dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc)


def test_a_malformed_source_date_epoch_is_a_config_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    with pytest.raises(ConfigError, match="SOURCE_DATE_EPOCH"):
        now()
