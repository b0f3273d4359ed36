from __future__ import annotations

import pytest

from checker.loaders.pg_model import runs_per_year
from checker.model import Unknown


@pytest.mark.parametrize("schedule, per_year", [
    ("0 3 * * *", 365), ("*/5 * * * *", 365 * 24 * 12), ("0 0 * * 0", 365 / 7), ("30 seconds", 365 * 2880),
])
def test_runs_per_year(schedule: str, per_year: float) -> None:
    assert runs_per_year(schedule) == pytest.approx(per_year, rel=0.01)


def test_a_schedule_that_cannot_be_read_is_unknown() -> None:
    assert isinstance(runs_per_year("@daily"), Unknown)
