"""The application's ECR repositories: immutable, scanned, under the storage key, with a lifecycle
that keeps the last releases and expires untagged images; config refused before anything exists."""

from __future__ import annotations

import json
from typing import Any

import pytest

from components.apps.images import ImageRepositories, ImageRepositoriesArgs
from components.apps.images_plan import IMAGES, lifecycle_policy
from components.apps.images_settings import ImagesSettings
from components.platform.config import Section
from components.settings import ConfigError
from preflight.harness import Plan
from preflight.monitor import run_function

REPOSITORY = "aws:ecr/repository:Repository"
KEY = "betterprompts:images"


def test_lifecycle_expires_untagged_first_then_keeps_the_last_releases() -> None:
    rules = json.loads(lifecycle_policy(keep_releases=30, untagged_days=7))["rules"]
    assert [r["rulePriority"] for r in rules] == [1, 2]
    assert rules[0]["selection"] == {"tagStatus": "untagged", "countType": "sinceImagePushed", "countUnit": "days", "countNumber": 7}
    assert rules[1]["selection"] == {"tagStatus": "tagged", "tagPatternList": ["*"], "countType": "imageCountMoreThan", "countNumber": 30}
    assert all(r["action"] == {"type": "expire"} for r in rules)
    with pytest.raises(ValueError):
        lifecycle_policy(keep_releases=0, untagged_days=7)


def test_each_stack_has_the_four_images_immutable_scanned_under_the_storage_key(plan: Plan) -> None:
    repositories = {r.inputs["name"]: r for r in plan.of_type(REPOSITORY)}
    assert sorted(repositories) == sorted(f"betterprompts-{plan.stack}/{image}" for image in IMAGES)
    storage_key = plan.outputs["kmsKeyArns"]["storage"]
    for repository in repositories.values():
        inputs = repository.inputs
        assert inputs["imageTagMutability"] == "IMMUTABLE"
        assert inputs["imageScanningConfiguration"] == {"scanOnPush": True}
        assert inputs["encryptionConfigurations"] == [{"encryptionType": "KMS", "kmsKey": storage_key}]
        # Production's images outlive a mistaken destroy; staging's go with the stack.
        assert inputs["forceDelete"] is (plan.stack == "staging")
        assert repository.protect is (plan.stack == "production")
    keep = {"production": 30, "staging": 10}[plan.stack]
    policies = plan.of_type("aws:ecr/lifecyclePolicy:LifecyclePolicy")
    assert len(policies) == 4
    for policy in policies:
        assert json.loads(policy.inputs["policy"])["rules"][1]["selection"]["countNumber"] == keep
    assert sorted(plan.outputs["imageRepositoryUrls"]) == sorted(IMAGES)


def test_the_cost_estimate_prices_each_repository(plan: Plan) -> None:
    from preflight.cost_stage import estimate_document

    items = [i for i in estimate_document(plan.to_json()).items if i.type == REPOSITORY]
    gb = {"production": 10, "staging": 3}[plan.stack]
    assert len(items) == 4
    assert all(i.baseline == pytest.approx(gb * 0.10) for i in items)


def parse(raw: dict[str, Any]) -> ImagesSettings | None:
    return ImagesSettings.read(Section(raw, KEY), project="betterprompts", stack="staging")


def test_settings_default_prefix_and_absent_section() -> None:
    assert parse({}) is None
    settings = parse({"keepReleases": 5})
    assert settings == ImagesSettings(repository_prefix="betterprompts-staging", keep_releases=5, untagged_expire_days=7)


@pytest.mark.parametrize(
    ("raw", "bad_key"),
    [
        ({"repositoryPrefix": "BetterPrompts"}, "repositoryPrefix"),
        ({"repositoryPrefix": "a//b"}, "repositoryPrefix"),
        ({"keepReleases": 0}, "keepReleases"),
        ({"untaggedExpireDays": 0}, "untaggedExpireDays"),
        ({"keepReleases": 5, "mutable": True}, "mutable"),
    ],
)
def test_bad_values_are_refused(raw: dict[str, Any], bad_key: str) -> None:
    with pytest.raises(ConfigError) as error:
        parse(raw)
    assert error.value.key == f"{KEY}.{bad_key}"


def test_conflicting_args_register_nothing() -> None:
    args = ImageRepositoriesArgs(repository_prefix="bp", kms_key_arn="arn:aws:kms:us-east-1:123456789012:key/x", keep_releases=0)
    with pytest.raises(ValueError):
        run_function(lambda: ImageRepositories("bp-images", args))
