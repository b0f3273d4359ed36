from __future__ import annotations

import json
from pathlib import Path

from checker.engine.relate import RelationIndex
from checker.loaders import cloudformation
from checker.loaders.cloudformation import claims, load
from checker.model import LoadOutcome, Reference, Resource, SourceLocation, Unknown
from checker.sources import SourceFile

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "loaders" / "cloudformation"


def _load(files: dict[str, str]) -> LoadOutcome:
    return load([SourceFile(path, text.encode()) for path, text in files.items()])


def _resources(text: str, path: str = "t.yaml") -> dict[str, Resource]:
    outcome = _load({path: text})
    assert outcome.errors == []
    return {r.address: r for r in outcome.resources}


def test_templates_are_claimed_by_content_and_extension() -> None:
    assert claims("stack.yaml", b"AWSTemplateFormatVersion: '2010-09-09'\nResources: {}\n")
    assert claims("stack.template", b"Resources:\n  B:\n    Type: \"AWS::S3::Bucket\"\n")
    assert claims("stack.json", b'{"Resources": {"B": {"Type": "AWS::S3::Bucket"}}}')
    assert not claims("deploy.yaml", b"apiVersion: v1\nkind: Service\nmetadata: {name: x}\n")
    assert not claims("plan.json", b'{"format_version": "1.2", "planned_values": {}}')
    assert not claims("ci.yml", b"Resources:\n  - runner\n")
    assert not claims("stack.tf", b"AWSTemplateFormatVersion: x\n")


def test_each_resource_is_its_logical_id_with_properties_and_lines() -> None:
    found = _resources(
        "AWSTemplateFormatVersion: '2010-09-09'\n"
        "Resources:\n"
        "  Logs:\n"
        "    Type: AWS::Logs::LogGroup\n"
        "    DeletionPolicy: Retain\n"
        "    Properties:\n"
        "      RetentionInDays: 365\n"
    )
    logs = found["Logs"]
    assert (logs.type, logs.name, logs.format, logs.scope) == ("AWS::Logs::LogGroup", "Logs", "cloudformation", "t.yaml")
    assert logs.attrs == {"RetentionInDays": 365, "DeletionPolicy": "Retain"}
    assert logs.location == SourceLocation("t.yaml", 3)
    assert logs.location_of(("RetentionInDays",)) == SourceLocation("t.yaml", 7)


def test_a_parameter_default_is_used_and_located_at_the_default() -> None:
    found = _resources(
        "Parameters:\n"
        "  Days:\n"
        "    Type: Number\n"
        "    Default: 400\n"
        "  Pipeline:\n"
        "    Type: Number\n"
        "Resources:\n"
        "  A:\n"
        "    Type: AWS::Logs::LogGroup\n"
        "    Properties: {RetentionInDays: !Ref Days}\n"
        "  B:\n"
        "    Type: AWS::Logs::LogGroup\n"
        "    Properties: {RetentionInDays: !Ref Pipeline}\n"
    )
    assert found["A"].attrs["RetentionInDays"] == 400
    assert found["A"].location_of(("RetentionInDays",)) == SourceLocation("t.yaml", 4)
    unknown = found["B"].attrs["RetentionInDays"]
    assert isinstance(unknown, Unknown) and "no Default" in unknown.reason


def test_refs_to_resources_are_references_that_relations_follow() -> None:
    path = FIXTURES / "ecs-refarch" / "load-balancers.yaml"
    found = _resources(path.read_text(), "load-balancers.yaml")
    listener = found["LoadBalancerListener"]
    arn = listener.attrs["LoadBalancerArn"]
    assert isinstance(arn, Reference) and arn.target == "AWS::ElasticLoadBalancingV2::LoadBalancer.LoadBalancer"
    related = RelationIndex(found.values()).outbound(
        listener, ["AWS::ElasticLoadBalancingV2::LoadBalancer"], "LoadBalancerArn")
    assert related == [found["LoadBalancer"]]
    assert listener.attrs["Protocol"] == "HTTP" and listener.location.line == 34


def test_pseudo_parameters_imports_and_undecided_conditions_stay_unknown() -> None:
    found = _resources(
        "Parameters:\n"
        "  Stage: {Type: String}\n"
        "Conditions:\n"
        "  Prod: !Equals [!Ref Stage, prod]\n"
        "Resources:\n"
        "  B:\n"
        "    Type: AWS::S3::Bucket\n"
        "    Properties:\n"
        "      BucketName: !Sub '${AWS::AccountId}-data'\n"
        "      LoggingConfiguration: {DestinationBucketName: !ImportValue logs-bucket}\n"
        "      Tags: [{Key: tier, Value: !If [Prod, gold, silver]}]\n"
    )
    attrs = found["B"].attrs
    assert isinstance(attrs["BucketName"], Unknown)
    assert isinstance(attrs["LoggingConfiguration"]["DestinationBucketName"], Unknown)
    assert isinstance(attrs["Tags"][0]["Value"], Unknown)


def test_sub_join_find_in_map_and_decided_conditions_resolve() -> None:
    found = _resources(
        "Parameters:\n"
        "  Env: {Type: String, Default: prod}\n"
        "Mappings:\n"
        "  Days: {prod: {Logs: 30}}\n"
        "Conditions:\n"
        "  IsProd: !Equals [!Ref Env, prod]\n"
        "  NotProd: !Not [!Condition IsProd]\n"
        "Resources:\n"
        "  L:\n"
        "    Type: AWS::Logs::LogGroup\n"
        "    Properties:\n"
        "      LogGroupName: !Sub '/app/${Env}/${!literal}'\n"
        "      RetentionInDays: !FindInMap [Days, !Ref Env, Logs]\n"
        "      KmsKeyId: !If [NotProd, arn:key, !Ref AWS::NoValue]\n"
        "      DataProtectionPolicy: {Name: !Join ['-', [a, !Ref Env]]}\n"
        "  Skipped:\n"
        "    Type: AWS::S3::Bucket\n"
        "    Condition: NotProd\n"
    )
    attrs = found["L"].attrs
    assert attrs["LogGroupName"] == "/app/prod/${literal}"
    assert attrs["RetentionInDays"] == 30
    assert "KmsKeyId" not in attrs
    assert attrs["DataProtectionPolicy"] == {"Name": "a-prod"}
    assert "Skipped" not in found


def test_secrets_never_reach_attributes() -> None:
    found = _resources(
        "Parameters:\n"
        "  DbPassword: {Type: String, NoEcho: true, Default: hunter2-default}\n"
        "Resources:\n"
        "  Db:\n"
        "    Type: AWS::RDS::DBInstance\n"
        "    Properties:\n"
        "      MasterUserPassword: Sup3rS3cret!\n"
        "      TdeCredentialPassword: !Ref DbPassword\n"
    )
    shown = repr(found["Db"].attrs)
    assert "Sup3rS3cret" not in shown and "hunter2" not in shown
    assert found["Db"].attrs["MasterUserPassword"] == "[redacted]"


def test_json_templates_load_with_lines() -> None:
    template = {"Resources": {"Logs": {"Type": "AWS::Logs::LogGroup", "Properties": {"RetentionInDays": 7}}}}
    found = _resources(json.dumps(template, indent=2), "t.json")
    assert found["Logs"].attrs == {"RetentionInDays": 7}
    assert found["Logs"].location.line == 3
    assert found["Logs"].location_of(("RetentionInDays",)).line == 6


def test_unparseable_or_misshapen_templates_are_errors_with_lines() -> None:
    broken = _load({"a.yaml": "Resources:\n  B:\n    Type: [\n", "b.json": '{"Resources": {\n  "B": }\n}',
                    "c.yaml": "AWSTemplateFormatVersion: '2010-09-09'\nDescription: none\n",
                    "d.yaml": "Resources:\n  B:\n    Properties: {}\n"})
    assert broken.resources == []
    assert sorted((e.path, e.line) for e in broken.errors) == [("a.yaml", 4), ("b.json", 2), ("c.yaml", 1),
                                                               ("d.yaml", 2)]


def test_the_loader_is_registered_before_terraform_plans() -> None:
    from checker.loaders import LOADERS, loader_for

    names = list(LOADERS)
    assert names.index("cloudformation") < names.index("terraform-plan")
    assert LOADERS["cloudformation"] is cloudformation
    assert loader_for("x.json", b'{"AWSTemplateFormatVersion": "2010-09-09", "Resources": {}}') == "cloudformation"
