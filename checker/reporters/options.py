"""What a reporter may be told besides the report itself."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from checker.clock import now
from policy_spec.rule import Rule


@dataclass(frozen=True)
class RenderOptions:
    color: bool = False
    verbose: bool = False
    """Show passing results too, not only failures and errors."""
    rules: tuple[Rule, ...] = ()
    """The rules in force, for formats that explain a finding (rationale, fix) or describe each rule."""
    generated: dt.datetime = field(default_factory=now)
    """When the report is made; formats that carry a timestamp use this one, never the clock."""
