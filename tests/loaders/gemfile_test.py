from __future__ import annotations

from checker.loaders import gemfile
from checker.sources import SourceFile

TEXT = """source "https://rubygems.org"

gem "rails", "~> 7.1"
gem 'stripe'
gem "sentry-ruby", group: :production

group :development, :test do
  gem "rspec-rails"
end

gem "pry", groups: [:development]
"""


def test_gems_are_read_with_lines_and_development_groups() -> None:
    outcome = gemfile.load([SourceFile("Gemfile", TEXT.encode())])
    assert [(r.attrs["name"], r.location.line, r.attrs["dev"]) for r in outcome.resources] == [
        ("rails", 3, False), ("stripe", 4, False), ("sentry-ruby", 5, False), ("rspec-rails", 8, True),
        ("pry", 11, True)]
    assert outcome.resources[0].attrs["version"] == "~> 7.1"
