"""Safe YAML loading through libyaml when it is present: the rule pack and catalogs are read on every run.

libyaml builds the same plain data about ten times faster than the pure-Python
loader. Its error messages differ, so a document libyaml rejects is read again
by the pure-Python loader, whose error (problem, line) is the one reported.
"""
from __future__ import annotations

from typing import Any, TYPE_CHECKING

from checker.lazy import lazy_import

if TYPE_CHECKING:
    import yaml as yaml
else:
    yaml = lazy_import("yaml")  # loaded when a YAML file is first read; other modules take it from here


def safe_load(text: str) -> Any:
    """``yaml.safe_load(text)``, faster."""
    fast: Any = getattr(yaml, "CSafeLoader", None)
    if fast is None:
        return yaml.safe_load(text)
    try:
        return yaml.load(text, Loader=fast)  # noqa: S506 - CSafeLoader is the safe loader
    except yaml.YAMLError:
        return yaml.safe_load(text)
