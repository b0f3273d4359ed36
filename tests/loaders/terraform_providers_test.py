from __future__ import annotations

from checker.loaders import terraform
from checker.sources import SourceFile

TEXT = """terraform {
  required_providers {
    aws = {
      source  = "registry.terraform.io/hashicorp/aws"
      version = "~> 5.0"
    }
    datadog = {
      source = "DataDog/datadog"
    }
    google = "~> 4.0"
  }
}

provider "aws" {
  region = "eu-west-1"
}
"""


def test_required_providers_and_provider_blocks_become_provider_resources() -> None:
    outcome = terraform.load([SourceFile("versions.tf", TEXT.encode())])
    providers = [(r.attrs["name"], r.attrs["source"], r.location.line) for r in outcome.resources
                 if r.type == "terraform_provider"]
    assert providers == [("aws", "hashicorp/aws", 3), ("datadog", "datadog/datadog", 7),
                         ("google", "hashicorp/google", 10), ("aws", "hashicorp/aws", 14)]
