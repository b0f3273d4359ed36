from __future__ import annotations

from pathlib import Path

import pytest

from checker.errors import RuleError
from checker.rulebook import load_rule, load_rules

VALID = """\
id: PP-TST-001
name: unencrypted-thing
title: Thing is encrypted
message: Thing is not encrypted
commitment: encryption-at-rest
severity: high
select: {format: terraform, types: [aws_thing]}
condition:
  all:
    - attr: encrypted
      equals: true
docs: {what: what it checks, why: why it matters, fix: how to fix it}
"""


def write(tmp_path: Path, text: str, name: str = "PP-TST-001.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def error_for(tmp_path: Path, text: str) -> RuleError:
    with pytest.raises(RuleError) as caught:
        load_rule(write(tmp_path, text))
    return caught.value


def test_a_valid_rule_loads(tmp_path: Path) -> None:
    assert load_rule(write(tmp_path, VALID)).id == "PP-TST-001"


def test_a_misspelt_operator_names_the_key_and_its_line(tmp_path: Path) -> None:
    error = error_for(tmp_path, VALID.replace("equals: true", "equal: true"))
    assert error.key == "condition.all.0" and "`equal`" in error.message and error.path.endswith(":10")


def test_two_operators_in_one_test_are_an_error(tmp_path: Path) -> None:
    error = error_for(tmp_path, VALID.replace("equals: true", "equals: true\n      exists: true"))
    assert "exactly one operator" in error.message


def test_an_unknown_top_level_key_is_named(tmp_path: Path) -> None:
    error = error_for(tmp_path, VALID + "colour: red\n")
    assert (error.key, error.message) == ("colour", "unknown key")


def test_a_bad_severity_is_named(tmp_path: Path) -> None:
    assert error_for(tmp_path, VALID.replace("severity: high", "severity: extreme")).key == "severity"


def test_an_invalid_regex_is_an_error(tmp_path: Path) -> None:
    error = error_for(tmp_path, VALID.replace("equals: true", "regex: '(['"))
    assert "regular expression" in error.message


def test_an_unknown_tls_version_is_an_error(tmp_path: Path) -> None:
    assert error_for(tmp_path, VALID.replace("equals: true", "tls_at_least: banana")).key.startswith("condition")


def test_invalid_yaml_names_the_line(tmp_path: Path) -> None:
    error = error_for(tmp_path, VALID.replace("severity: high", "severity: [high"))
    assert "invalid YAML" in error.message and ":" in error.path


def test_the_file_name_must_be_the_id(tmp_path: Path) -> None:
    with pytest.raises(RuleError, match="must match the file name"):
        load_rule(write(tmp_path, VALID, name="other.yaml"))


def test_an_unknown_commitment_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, VALID.replace("encryption-at-rest", "teleportation"))
    with pytest.raises(RuleError, match="not a commitment"):
        load_rules([path], ["encryption-at-rest"])


def test_duplicate_ids_are_an_error(tmp_path: Path) -> None:
    first = write(tmp_path, VALID)
    (tmp_path / "b").mkdir()
    second = write(tmp_path / "b", VALID)
    with pytest.raises(RuleError, match="also defined"):
        load_rules([first, second], ["encryption-at-rest"])


def test_yaml_files_not_named_like_a_rule_id_are_data_not_rules(tmp_path: Path) -> None:
    from checker.rulebook import rule_files

    write(tmp_path, VALID)
    (tmp_path / "catalog.yaml").write_text("vendors: []\n")
    assert [p.name for p in rule_files([tmp_path])] == ["PP-TST-001.yaml"]


def test_a_company_prefix_is_a_valid_rule_id(tmp_path: Path) -> None:
    path = write(tmp_path, VALID.replace("PP-TST-001", "ACME-TST-001"), name="ACME-TST-001.yaml")
    assert load_rule(path).id == "ACME-TST-001"
