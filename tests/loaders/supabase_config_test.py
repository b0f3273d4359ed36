from __future__ import annotations

from checker.loaders import supabase_config
from checker.sources import SourceFile

CONFIG = b"""project_id = "shop"

[db.ssl_enforcement]
enabled = true

[auth]
jwt_expiry = 3600

[auth.external.github]
enabled = true
client_id = "Iv1.abc"
secret = "gh-oauth-secret-value"

[auth.sms.twilio]
auth_token = "env(TWILIO_AUTH_TOKEN)"
"""


def test_values_and_their_lines() -> None:
    outcome = supabase_config.load([SourceFile("supabase/config.toml", CONFIG)])
    project = outcome.resources[0]
    assert project.address == "supabase_project.shop"
    assert project.attrs["db"]["ssl_enforcement"]["enabled"] is True
    assert project.location_of(("db", "ssl_enforcement", "enabled")).line == 4
    assert project.location_of(("auth", "jwt_expiry")).line == 7


def test_secrets_are_redacted_but_env_references_stay() -> None:
    project = supabase_config.load([SourceFile("supabase/config.toml", CONFIG)]).resources[0]
    assert project.attrs["auth"]["external"]["github"]["secret"] == supabase_config.REDACTED
    assert project.attrs["auth"]["sms"]["twilio"]["auth_token"] == "env(TWILIO_AUTH_TOKEN)"
    assert "gh-oauth-secret-value" not in repr(project)


def test_invalid_toml_is_an_error_at_its_line() -> None:
    outcome = supabase_config.load([SourceFile("supabase/config.toml", b"[auth]\nenabled = true\njwt_expiry = \n")])
    assert [(e.path, e.line) for e in outcome.errors] == [("supabase/config.toml", 3)]


def test_claims_only_the_supabase_folder() -> None:
    assert supabase_config.claims("apps/db/supabase/config.toml")
    assert not supabase_config.claims("config.toml")
