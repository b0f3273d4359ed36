"""What a reporter may be told besides the report itself."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RenderOptions:
    color: bool = False
    verbose: bool = False
    """Show passing results too, not only failures and errors."""
