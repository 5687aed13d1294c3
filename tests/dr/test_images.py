"""ECR replication to the DR Region: production's replicas are made by a us-west-2 creation template (immutable,
the DR key, the sources' lifecycle, the stack's tags) and production owns the registry's one replication
configuration, filtered to its prefix; staging replicates nothing; bad config names its key; cost from usage."""

from __future__ import annotations

import json
from typing import Any

import pytest

from components.apps import lifecycle_policy
from components.dr.images_plan import replication_filter, template_role_policy
from components.platform import ConfigError
from policies.cost_model import Assumptions, CostResource, Usage, estimate
from preflight.harness import Plan, Resource
from tests.dr.test_backup import _region_of
from tests.stack_config import config_of, load, with_value

TEMPLATE = "aws:ecr/repositoryCreationTemplate:RepositoryCreationTemplate"
REPLICATION = "aws:ecr/replicationConfiguration:ReplicationConfiguration"
COMPONENT = "betterprompts:dr:ImageReplication"
ACCOUNT = "123456789012"


def _children(plan: Plan, type_: str) -> list[Resource]:
    [component] = plan.of_type(COMPONENT)
    return [r for r in plan.descendants(component.urn) if r.type == type_]


def test_production_replicas_are_made_by_a_us_west_2_template_like_their_sources(production: Plan) -> None:
    [template] = _children(production, TEMPLATE)
    inputs = template.inputs
    assert _region_of(production, template) == "us-west-2"
    assert inputs["prefix"] == "betterprompts-production" and inputs["appliedFors"] == ["REPLICATION"]
    assert inputs["imageTagMutability"] == "IMMUTABLE"
    [encryption] = inputs["encryptionConfigurations"]
    [key] = _children(production, "aws:kms/key:Key")
    assert encryption["encryptionType"] == "KMS" and encryption["kmsKey"].startswith(f"arn:aws:kms:us-west-2:{ACCOUNT}:key/")
    assert template.property_dependencies["encryptionConfigurations"] == [key.urn]
    # The same lifecycle as the source repositories (production keeps 30 releases, untagged 7 days).
    sources = {p.inputs["policy"] for p in production.of_type("aws:ecr/lifecyclePolicy:LifecyclePolicy")}
    assert sources == {inputs["lifecyclePolicy"]} == {lifecycle_policy(keep_releases=30, untagged_days=7)}
    # A template's resourceTags are not the provider's default tags: the stack's tags are written out.
    tags = inputs["resourceTags"]
    assert tags["Environment"] == "production" and tags["Project"] == "betterprompts" and tags["Component"] == "dr-images"
    [role] = _children(production, "aws:iam/role:Role")
    assert template.property_dependencies["customRoleArn"] == [role.urn]


def test_the_dr_key_rotates_is_protected_and_lets_iam_grant_it(production: Plan) -> None:
    [key] = _children(production, "aws:kms/key:Key")
    assert _region_of(production, key) == "us-west-2"
    assert key.inputs["enableKeyRotation"] is True and key.protect
    [statement] = json.loads(key.inputs["policy"])["Statement"]
    # ECR's documented key policy: the account root, so that the template role's IAM policy grants the key.
    assert statement["Principal"] == {"AWS": f"arn:aws:iam::{ACCOUNT}:root"} and statement["Action"] == "kms:*"


def test_the_template_role_is_ecrs_with_exactly_the_documented_actions_scoped(production: Plan) -> None:
    [role] = _children(production, "aws:iam/role:Role")
    [trust] = json.loads(role.inputs["assumeRolePolicy"])["Statement"]
    assert trust["Principal"] == {"Service": "ecr.amazonaws.com"} and trust["Action"] == "sts:AssumeRole"
    [policy] = [p for p in production.of_type("aws:iam/rolePolicy:RolePolicy") if p.parent == role.urn]
    ecr, kms = json.loads(policy.inputs["policy"])["Statement"]
    assert ecr["Action"] == ["ecr:CreateRepository", "ecr:ReplicateImage", "ecr:TagResource"]
    assert ecr["Resource"] == [
        f"arn:aws:ecr:us-east-1:{ACCOUNT}:repository/betterprompts-production/*",
        f"arn:aws:ecr:us-west-2:{ACCOUNT}:repository/betterprompts-production/*",
    ]
    assert kms["Action"] == ["kms:CreateGrant", "kms:RetireGrant", "kms:DescribeKey"]
    assert kms["Resource"].startswith(f"arn:aws:kms:us-west-2:{ACCOUNT}:key/")
    # ECR uses the role when it creates a replica: its policy exists before the template.
    [template] = _children(production, TEMPLATE)
    assert policy.urn in template.dependencies


def test_production_owns_the_registry_replication_of_its_prefix_after_the_template(production: Plan) -> None:
    [config] = _children(production, REPLICATION)
    assert _region_of(production, config) == "us-east-1"
    [rule] = config.inputs["replicationConfiguration"]["rules"]
    assert rule["destinations"] == [{"region": "us-west-2", "registryId": ACCOUNT}]
    # "<prefix>/": this stack's repositories, not betterprompts-production-something else.
    assert rule["repositoryFilters"] == [{"filter": "betterprompts-production/", "filterType": "PREFIX_MATCH"}]
    [template] = _children(production, TEMPLATE)
    assert template.urn in config.dependencies
    assert len(production.of_type(REPLICATION)) == 1


def test_staging_replicates_no_image_and_leaves_the_registry_alone(staging: Plan) -> None:
    assert not staging.of_type(COMPONENT) and not staging.of_type(TEMPLATE) and not staging.of_type(REPLICATION)


def test_settings_production_replicates_and_owns_staging_neither() -> None:
    production = load(config_of("production")).dr
    staging = load(config_of("staging"), "staging").dr
    assert production is not None and staging is not None
    assert production.images.replicate and production.images.manage_registry_replication
    assert not staging.images.replicate and not staging.images.manage_registry_replication


@pytest.mark.parametrize(
    ("key", "value", "error_key", "allowed"),
    [
        # The registry's configuration would replicate this prefix without a template: ECR's defaults (AES256).
        ("images.replicate", False, "images.manageRegistryReplication", "false unless replicate is true"),
        ("images.nonsense", True, "images.nonsense", "no such key"),
        ("images.replicate", "yes", "images.replicate", "true or false"),
    ],
)
def test_bad_image_replication_values_name_their_key(key: str, value: Any, error_key: str, allowed: str) -> None:
    with pytest.raises(ConfigError) as error:
        load(with_value("dr", key, value))
    assert error.value.key == f"betterprompts:dr.{error_key}"
    assert allowed in error.value.allowed


def test_replication_to_the_stacks_own_region_is_refused_by_the_region_key() -> None:
    with pytest.raises(ConfigError) as error:
        load(with_value("dr", "region", "us-east-1"))
    assert error.value.key == "betterprompts:dr.region" and "a Region other than the stack's own (us-east-1)" in error.value.allowed


def test_replicating_without_repositories_is_refused() -> None:
    config = config_of("production")
    del config["betterprompts:images"]
    del config["betterprompts:delivery"]
    with pytest.raises(ConfigError) as error:
        load(config)
    assert error.value.key == "betterprompts:dr.images.replicate" and "betterprompts:images" in error.value.allowed


def test_the_filter_and_role_policy_are_scoped_to_one_prefix() -> None:
    assert replication_filter("betterprompts-staging") == "betterprompts-staging/"
    with pytest.raises(ValueError):
        replication_filter("x" * 256)
    document = json.loads(
        template_role_policy(prefix="p", region="us-east-1", dr_region="us-west-2", account_id=ACCOUNT, key_arn="arn:aws:kms:us-west-2:1:key/k")
    )
    assert all(statement["Resource"] != "*" for statement in document["Statement"])


def test_replicas_cost_their_storage_and_the_cross_region_copies() -> None:
    repositories = [
        CostResource(f"urn:r{i}", "aws:ecr/repository:Repository", f"r{i}", {"name": f"betterprompts-production/{image}"})
        for i, image in enumerate(["frontend", "intent-classifier", "technique-selector", "prompt-generator"])
    ]
    other = CostResource("urn:o", "aws:ecr/repository:Repository", "o", {"name": "betterprompts-staging/frontend"})
    template = CostResource("urn:t", TEMPLATE, "t", {"prefix": "betterprompts-production", "appliedFors": ["REPLICATION"]})
    usage = Usage(ecr_repository_gb=10, ecr_replication_gb=20)
    items = [i for i in estimate([*repositories, other, template], "us-east-1", Assumptions(usage=usage)).items if i.urn == "urn:t"]
    # 4 replicas x 10 GB at $0.10/GB-month + 20 GB/month at $0.02/GB inter-Region.
    assert [round(i.baseline, 2) for i in items] == [4.40]
    assert "4 repositories (40 GB) + 20 GB/month replicated" in items[0].description
    pull_through = CostResource("urn:p", TEMPLATE, "p", {"prefix": "betterprompts-production", "appliedFors": ["PULL_THROUGH_CACHE"]})
    assert not [i for i in estimate([pull_through], "us-east-1").items if i.urn == "urn:p"]
