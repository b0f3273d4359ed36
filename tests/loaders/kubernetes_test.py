from __future__ import annotations

import pytest

from checker.loaders import kubernetes
from checker.model import LoadOutcome, Unknown
from checker.sources import SourceFile


def load(text: str, path: str = "k8s/app.yaml") -> LoadOutcome:
    return kubernetes.load([SourceFile(path, text.encode())])


INGRESS = """\
# Source: chart/templates/ingress.yaml
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
spec:
  rules:
    - host: www.example.net
---
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: gp3
provisioner: ebs.csi.aws.com
"""


def test_each_document_is_a_resource_addressed_kind_namespace_name() -> None:
    outcome = load(INGRESS)
    assert [r.address for r in outcome.resources] == ["Ingress/default/web", "StorageClass/gp3"]
    assert outcome.resources[0].location.line == 2 and outcome.resources[1].location.line == 10


def test_values_point_at_their_own_lines() -> None:
    ingress = load(INGRESS).resources[0]
    assert ingress.location_of(("spec", "rules", 0, "host")).line == 8


def test_items_of_a_list_are_objects_of_their_own() -> None:
    text = ("apiVersion: v1\nkind: List\nitems:\n"
            "  - apiVersion: v1\n    kind: Service\n    metadata: {name: a, namespace: shop}\n"
            "  - apiVersion: v1\n    kind: Service\n    metadata: {name: b, namespace: shop}\n")
    resources = load(text).resources
    assert [(r.address, r.location.line) for r in resources] == [("Service/shop/a", 4), ("Service/shop/b", 7)]
    assert resources[1].location_of(("metadata", "name")).line == 9


def test_a_helm_chart_template_is_skipped_with_a_note_not_an_error() -> None:
    outcome = load("apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ .Release.Name }}\n",
                   "charts/web/templates/service.yaml")
    assert not outcome.errors and not outcome.resources
    assert "helm template" in outcome.notes[0].message


def test_other_invalid_yaml_is_an_error_with_its_line() -> None:
    outcome = load("apiVersion: v1\nkind: Service\nmetadata:\n  name: [web\n")
    assert outcome.errors and outcome.errors[0].line >= 4


def test_a_document_without_kind_is_noted_not_loaded() -> None:
    outcome = load("apiVersion: v1\nkind: Service\nmetadata: {name: a}\n---\nfoo: bar\n")
    assert len(outcome.resources) == 1 and outcome.notes[0].line == 5


def test_a_whole_value_placeholder_is_unknown() -> None:
    text = ("kind: EncryptionConfiguration\napiVersion: apiserver.config.k8s.io/v1\nresources:\n"
            "  - resources: [secrets]\n    providers:\n      - aescbc:\n          keys:\n"
            "            - {name: key1, secret: '${ENCRYPTION_KEY}'}\n")
    (config,) = load(text, "configs/encryption-config.yaml").resources
    assert config.address == "EncryptionConfiguration/encryption-config"
    secret = config.attrs["resources"][0]["providers"][0]["aescbc"]["keys"][0]["secret"]
    assert isinstance(secret, Unknown)


def test_secret_values_are_replaced_on_load() -> None:
    (secret,) = load("apiVersion: v1\nkind: Secret\nmetadata: {name: db}\nstringData:\n  password: hunter2\n").resources
    assert secret.attrs["stringData"] == {"password": "[redacted]"}


@pytest.mark.parametrize(("path", "head", "claimed"), [
    ("deploy.yaml", "apiVersion: apps/v1\nkind: Deployment\n", True),
    ("deploy.yml", "# Source: x\n---\napiVersion: v1\nkind: Service\n", True),
    ("template.yaml", "AWSTemplateFormatVersion: '2010-09-09'\nResources: {}\n", False),
    ("stack.yaml", "Resources:\n  B:\n    Type: AWS::S3::Bucket\n", False),
    ("docker-compose.yml", "services:\n  web:\n    image: nginx\n", False),
    ("values.yaml", "replicaCount: 1\n", False),
    ("deploy.json", "apiVersion: v1\nkind: Service\n", False),
])
def test_claims_manifests_only(path: str, head: str, claimed: bool) -> None:
    assert kubernetes.claims(path, head.encode()) is claimed
