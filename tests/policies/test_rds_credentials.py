"""``rds-managed-password-compatible``: no replica (or Blue/Green) of an instance whose password RDS manages."""

from __future__ import annotations

from typing import Any

from tests.policy_plans import KEY, messages, plan, resource, urn

POLICY = "rds-managed-password-compatible"
INSTANCE = "aws:rds/instance:Instance"


def primary(**inputs: Any) -> dict[str, Any]:
    return resource(INSTANCE, "db", {"identifier": "db", "engine": "postgres", "kmsKeyId": KEY, **inputs})


def replica(linked: bool = True, **inputs: Any) -> dict[str, Any]:
    deps = {"replicateSourceDb": [urn("production", INSTANCE, "db")]} if linked else None
    source = "arn:aws:rds:us-east-1:123456789012:db:db"
    return resource(INSTANCE, "db-replica-1", {"replicateSourceDb": source, **inputs}, property_dependencies=deps)


def test_a_replica_of_a_stack_owned_password_passes() -> None:
    assert messages(plan(primary(password="[secret]"), replica()), POLICY) == []


def test_a_replica_of_an_rds_managed_password_is_refused() -> None:
    (message,) = messages(plan(primary(manageMasterUserPassword=True), replica()), POLICY)
    assert message.startswith(
        "aws:rds/instance:Instance 'db-replica-1': is a read replica of 'db', whose master password RDS manages in "
        "Secrets Manager; RDS refuses to create such a replica"
    )


def test_the_source_is_found_by_identifier_too() -> None:
    assert len(messages(plan(primary(manageMasterUserPassword=True), replica(linked=False)), POLICY)) == 1


def test_blue_green_with_a_managed_password_is_refused() -> None:
    document = plan(primary(manageMasterUserPassword=True, blueGreenUpdate={"enabled": True}))
    (message,) = messages(document, POLICY)
    assert "blueGreenUpdate is enabled while RDS manages the master password" in message
    assert messages(plan(primary(manageMasterUserPassword=True)), POLICY) == []


def test_a_replica_that_asks_rds_to_manage_a_password_is_refused() -> None:
    found = messages(plan(primary(password="[secret]"), replica(manageMasterUserPassword=True)), POLICY)
    assert len(found) == 1 and "manageMasterUserPassword is not supported on it" in found[0]
