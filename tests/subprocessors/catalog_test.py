from __future__ import annotations

from pathlib import Path

import pytest

from checker.errors import ConfigError
from checker.subprocessors.catalog import image_key, load_catalog


@pytest.fixture(scope="module")
def catalog():  # type: ignore[no-untyped-def]
    return load_catalog()


def test_the_bundled_catalog_validates_and_covers_at_least_sixty_vendors(catalog) -> None:  # type: ignore[no-untyped-def]
    assert len(catalog.vendors) >= 60
    assert {v.category for v in catalog.vendors.values()} >= {"advertising", "data-broker", "payments", "ai"}


@pytest.mark.parametrize(("ecosystem", "name", "vendor"), [
    ("npm", "stripe", "stripe"), ("npm", "@stripe/stripe-js", "stripe"), ("pypi", "openai", "openai"),
    ("pypi", "Sentry_SDK", "sentry"), ("go", "github.com/stripe/stripe-go/v76", "stripe"),
    ("rubygems", "sentry-ruby", "sentry"), ("npm", "@supabase/supabase-js", "supabase"),
])
def test_exact_names_match_after_the_ecosystems_normalisation(catalog, ecosystem: str, name: str,  # type: ignore[no-untyped-def]
                                                              vendor: str) -> None:
    found = catalog.package(ecosystem, name)
    assert found is not None and found.id == vendor


@pytest.mark.parametrize(("ecosystem", "name"), [
    ("npm", "stripe-mock"), ("pypi", "sentry-sdk-fake"), ("pypi", "openai-whisper"), ("npm", "@stripe/stripe-js-x"),
    ("go", "github.com/stripe/stripe-go-mock"), ("pypi", "stripe"[:-1]), ("npm", "openai"[:-1]),
])
def test_a_name_that_merely_shares_a_prefix_never_matches(catalog, ecosystem: str, name: str) -> None:  # type: ignore[no-untyped-def]
    assert catalog.package(ecosystem, name) is None


def test_a_package_name_matches_only_in_its_own_ecosystem(catalog) -> None:  # type: ignore[no-untyped-def]
    assert catalog.package("rubygems", "@stripe/stripe-js") is None


def test_hosts_match_their_subdomains_label_by_label(catalog) -> None:  # type: ignore[no-untyped-def]
    assert catalog.host("o450.ingest.sentry.io").id == "sentry"
    assert catalog.host("API.OPENAI.COM").id == "openai"
    assert catalog.host("notsentry.io") is None
    assert catalog.host("sentry.io.example.com") is None


def test_images_match_without_registry_tag_or_digest(catalog) -> None:  # type: ignore[no-untyped-def]
    assert catalog.image("gcr.io/datadoghq/agent:7@sha256:abc").id == "datadog"
    assert catalog.image("docker.io/datadog/agent:latest").id == "datadog"
    assert catalog.image("datadog/agent-dev:7") is None
    assert image_key("docker.io/library/redis:7") == "redis"


def test_providers_match_without_registry_host_and_case(catalog) -> None:  # type: ignore[no-untyped-def]
    assert catalog.provider("registry.terraform.io/DataDog/datadog").id == "datadog"


def test_an_extra_catalog_adds_vendors_and_replaces_one_with_the_same_id(tmp_path: Path) -> None:
    extra = tmp_path / "vendors.yaml"
    extra.write_text("vendors:\n"
                     "  - {id: acme-crm, name: Acme CRM, category: crm, signals: {npm: ['@acme/crm']}}\n"
                     "  - {id: stripe, name: Stripe, category: payments, signals: {npm: [stripe-internal]}}\n")
    catalog = load_catalog([extra])
    assert catalog.package("npm", "@acme/crm").id == "acme-crm"
    assert catalog.package("npm", "stripe-internal").id == "stripe"
    assert catalog.package("npm", "stripe") is None


def test_an_invalid_extra_catalog_is_a_configuration_error(tmp_path: Path) -> None:
    extra = tmp_path / "vendors.yaml"
    extra.write_text("vendors:\n  - {id: acme, name: Acme, category: fintech, signals: {}}\n")
    with pytest.raises(ConfigError, match="category"):
        load_catalog([extra])
