"""Bundler's ``Gemfile``: ``gem "name"`` calls, with ``group`` blocks and ``group:`` options.

A Gemfile is Ruby, but the calls that declare gems are plain enough to read
line by line; anything else (sources, conditionals, ``eval_gemfile``) declares
no gem and is passed over. Gems in the development and test groups are
development-only.
"""
from __future__ import annotations

import posixpath
import re
from collections.abc import Sequence

from checker.loaders.packages import package
from checker.model import LoadOutcome
from checker.sources import SourceFile, texts

FORMAT = "gemfile"
_GEM = re.compile(r"""^gem\s*\(?\s*(["'])([A-Za-z0-9_.-]+)\1(.*)$""")
_VERSION = re.compile(r"""^\s*,\s*(["'])([^"']+)\1""")
_GROUP = re.compile(r"^group\s*\(?(.*?)\)?\s*do\s*(\|.*\|)?\s*$")
_GROUP_OPTION = re.compile(r"""(?:group|groups)\s*(?::|=>)\s*(\[[^\]]*\]|:\w+|["']\w+["'])""")
_BLOCK_OPENERS = re.compile(r"^(if|unless|case|while|until|platforms|platform|source|install_if|path|git|"
                            r"github|env)\b.*\bdo\b|^(if|unless|case|while|until)\b")
_DEV = {"development", "test"}


def claims(path: str, head: bytes = b"") -> bool:
    return posixpath.basename(path) in ("Gemfile", "gems.rb")


def load(files: Sequence[SourceFile]) -> LoadOutcome:
    outcome = LoadOutcome()
    for source, text in texts(files, outcome):
        groups: list[set[str]] = []
        for number, raw in enumerate(text.splitlines(), 1):
            line = raw.split(" #", 1)[0].strip()
            if not line or line.startswith("#"):
                continue
            if (group := _GROUP.match(line)) is not None:
                groups.append(set(re.findall(r"\w+", group.group(1))))
                continue
            if _BLOCK_OPENERS.match(line) or re.search(r"\bdo\s*(\|.*\|)?$", line):
                groups.append(set())
                continue
            if line == "end":
                if groups:
                    groups.pop()
                continue
            gem = _GEM.match(line)
            if gem is None:
                continue
            rest = gem.group(3)
            option = _GROUP_OPTION.search(rest)
            own = set(re.findall(r"\w+", option.group(1))) if option else set()
            active = set().union(*groups, own) if groups or own else set()
            version = _VERSION.match(rest)
            outcome.resources.append(package(FORMAT, "rubygems", gem.group(2), source.path, number,
                                             version=version.group(2) if version else None,
                                             dev=bool(active) and active <= _DEV))
    return outcome
