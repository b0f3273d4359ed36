"""The chain from the published policy to the checks: does each quote still stand, is each promise checked?

A policy is published as a web page or a Markdown file as often as plain
text, so the document is reduced to its words first (markup stripped,
whitespace folded) and the quotes are looked for in that.
"""
from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import PurePath
from typing import Literal

from markdown_it import MarkdownIt

from policy_spec.evidence import AttestationRecord
from policy_spec.policy import Policy
from policy_spec.rule import Rule

HTML_SUFFIXES = (".html", ".htm", ".xhtml")
MARKDOWN_SUFFIXES = (".md", ".markdown", ".mdown")
_SKIPPED = {"script", "style", "template", "noscript", "head"}
_BLOCKS = {"p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "td", "th", "section",
           "article", "header", "footer", "blockquote", "pre", "table", "dd", "dt", "hr"}


class _Words(HTMLParser):
    """The text a reader sees: no scripts or styles, a break between blocks, entities decoded."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED:
            self._skipping += 1
        elif tag in _BLOCKS:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED:
            self._skipping = max(0, self._skipping - 1)
        elif tag in _BLOCKS:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


def html_words(markup: str) -> str:
    parser = _Words()
    parser.feed(markup)
    parser.close()
    return fold("".join(parser.parts))


def plain_text(document: str, name: str) -> str:
    """The words of a policy document, read as HTML, Markdown (CommonMark) or plain text by its name."""
    suffix = PurePath(name).suffix.lower()
    if suffix in HTML_SUFFIXES:
        return html_words(document)
    if suffix in MARKDOWN_SUFFIXES:
        return html_words(MarkdownIt("commonmark").render(document))
    return fold(document)


def fold(text: str) -> str:
    return " ".join(text.split())


@dataclass(frozen=True)
class Trace:
    commitment: str
    quote_found: bool
    rules: tuple[str, ...]
    attestations: tuple[AttestationRecord, ...]
    nearest: str | None
    """For a drifted quote: the passage of the document that comes closest, to show what it says now."""

    @property
    def covered(self) -> bool:
        return bool(self.rules) or any(a.state in ("valid", "expiring") for a in self.attestations)

    @property
    def verdict(self) -> Literal["drift", "gap", "ok"]:
        return "drift" if not self.quote_found else ("ok" if self.covered else "gap")


def trace(policy: Policy, rules: Sequence[Rule], records: Sequence[AttestationRecord], words: str) -> list[Trace]:
    traced = []
    for c in policy.commitments:
        found = fold(c.quote) in words
        traced.append(Trace(
            commitment=c.id,
            quote_found=found,
            rules=tuple(sorted(r.id for r in rules if r.commitment == c.id)),
            attestations=tuple(a for a in records if a.commitment == c.id),
            nearest=None if found else nearest(fold(c.quote), words),
        ))
    return traced


def nearest(quote: str, words: str) -> str | None:
    """The run of as many words as the quote that resembles it most, if any resembles it well."""
    tokens = words.split()
    size = len(quote.split())
    windows = [" ".join(tokens[i:i + size]) for i in range(max(1, len(tokens) - size + 1))]
    close = difflib.get_close_matches(quote, windows, n=1, cutoff=0.6)
    return close[0] if close else None


def describe(t: Trace) -> str:
    """One line for the terminal: verdict, commitment, and what supports or breaks the chain."""
    if t.verdict == "drift":
        now = f'; the document now says "{t.nearest}"' if t.nearest else "; nothing close to it remains"
        return f"drift  {t.commitment}: the quote is no longer in the document{now}"
    support = []
    if t.rules:
        support.append(f"{len(t.rules)} rule{'s' if len(t.rules) != 1 else ''}")
    support += [f"attestation by {a.by} ({a.state}, until {a.expires})" for a in t.attestations]
    if t.verdict == "gap":
        return f"gap    {t.commitment}: no rule and no current attestation" + (
            f" ({', '.join(support)})" if support else "")
    return f"ok     {t.commitment}: {', '.join(support)}"
