"""production-backup-plan-covers-stateful on violating and compliant stacks (plans shaped as preflight writes them)."""

from __future__ import annotations

from typing import Any

from tests.policy_plans import KEY, plan, resource, urn
from tests.policy_plans import whole_stack_messages as _messages

POLICY = "production-backup-plan-covers-stateful"
PLAN = "aws:backup/plan:Plan"
SELECTION = "aws:backup/selection:Selection"
DB = "aws:rds/instance:Instance"
EFS = "aws:efs/fileSystem:FileSystem"

PRIMARY = {"storageEncrypted": True, "kmsKeyId": KEY, "deletionProtection": True, "tags": {"Component": "database", "Role": "primary"}}
REPLICA = {**PRIMARY, "replicateSourceDb": "arn:aws:rds:us-east-1:123456789012:db:primary", "tags": {"Component": "database", "Role": "read-replica"}}
FILE_SYSTEM = {"encrypted": True, "kmsKeyId": KEY, "tags": {"Component": "efs"}}
RULE = {"ruleName": "snapshots", "targetVaultName": "vault", "schedule": "cron(0 5 * * ? *)", "lifecycle": {"deleteAfter": 30}}


def _selection(name: str, pattern: str, tags: dict[str, str], *, stack: str = "production", plan_name: str = "plan", **extra: Any) -> dict[str, Any]:
    conditions = [{"stringEquals": [{"key": f"aws:ResourceTag/{k}", "value": v} for k, v in tags.items()]}]
    return resource(
        SELECTION,
        name,
        {"name": name, "planId": "plan-id", "iamRoleArn": "arn:aws:iam::123456789012:role/backup", "resources": [pattern], "conditions": conditions, **extra},
        stack=stack,
        property_dependencies={"planId": [urn(stack, PLAN, plan_name)]},
    )


def _stores(stack: str = "production") -> list[dict[str, Any]]:
    return [
        resource(DB, "primary", PRIMARY, stack=stack, protect=True),
        resource(DB, "replica", REPLICA, stack=stack, protect=True),
        resource(EFS, "files", FILE_SYSTEM, stack=stack, protect=True),
    ]


def _plan(stack: str = "production", rules: Any = (RULE,)) -> dict[str, Any]:
    return resource(PLAN, "plan", {"name": "plan", "rules": list(rules)}, stack=stack)


def test_a_plan_selecting_every_store_by_type_and_tag_passes() -> None:
    document = plan(
        *_stores(),
        _plan(),
        _selection("database", "arn:aws:rds:*:*:db:*", {"Environment": "production", "Component": "database", "Role": "primary"}),
        _selection("efs", "arn:aws:elasticfilesystem:*:*:file-system/*", {"Component": "efs", "Project": "betterprompts"}),
    )
    assert _messages(document, POLICY) == []


def test_a_store_no_selection_takes_in_is_flagged_and_replicas_are_not() -> None:
    document = plan(*_stores(), _plan(), _selection("database", "arn:aws:rds:*:*:db:*", {"Role": "primary"}))
    assert _messages(document, POLICY) == [
        f"{EFS} 'files': no AWS Backup plan selects it (by reference, or by resource type and tags). Fix: give it the tags of an "
        "existing selection, or add a selection for it (components.dr.backup_plan.selections)"
    ]


def test_tag_conditions_are_matched_against_own_and_default_tags() -> None:
    # Environment comes from the provider's default tags: staging's value does not match production's store.
    document = plan(*_stores(), _plan(), _selection("all-db", "arn:aws:rds:*:*:db:*", {"Environment": "staging"}),
                    _selection("efs", "arn:aws:elasticfilesystem:*:*:file-system/*", {"Component": "efs"}))
    assert [m.split(": ")[0] for m in _messages(document, POLICY)] == [f"{DB} 'primary'"]


def test_a_selection_naming_the_store_by_reference_covers_it() -> None:
    by_ref = resource(
        SELECTION,
        "efs",
        {"name": "efs", "planId": "plan-id", "iamRoleArn": "arn:aws:iam::123456789012:role/backup", "resources": ["fs-arn"]},
        property_dependencies={"planId": [urn("production", PLAN, "plan")], "resources": [urn("production", EFS, "files")]},
    )
    document = plan(*_stores(), _plan(), _selection("database", "arn:aws:rds:*:*:db:*", {"Role": "primary"}), by_ref)
    assert _messages(document, POLICY) == []


def test_a_plan_without_rules_backs_nothing_up() -> None:
    document = plan(*_stores(), _plan(rules=()), _selection("database", "*", {}))
    assert len(_messages(document, POLICY)) == 2


def test_a_selection_of_another_region_does_not_count() -> None:
    document = plan(
        *_stores(),
        _plan(),
        _selection("database", "arn:aws:rds:us-west-2:*:db:*", {"Role": "primary"}),
        _selection("efs", "arn:aws:elasticfilesystem:*:*:file-system/*", {"Component": "efs"}),
    )
    assert [m.split(": ")[0] for m in _messages(document, POLICY)] == [f"{DB} 'primary'"]


def test_staging_is_not_judged() -> None:
    assert _messages(plan(*_stores("staging"), stack="staging"), POLICY) == []
