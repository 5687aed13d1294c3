"""RDS master credentials that RDS manages in Secrets Manager rule out read replicas and Blue/Green.

RDS user guide, "Password management with Amazon RDS and AWS Secrets Manager", Limitations:
creating a read replica of a source that manages its credentials with Secrets Manager is not
supported (every engine but SQL Server), nor are Blue/Green deployments. Both fail at deploy time
(or at the first major upgrade), so the combination is refused in the plan.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Optional

from pulumi_policy import PolicyResource, Severity, StackValidationArgs

from .common import get, is_true, label, stack_policy

RDS_INSTANCE = "aws:rds/instance:Instance"
SOURCE = "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-secrets-manager.html#rds-secrets-manager-limitations"
FIX = (
    "hold the master credential in a stack-owned Secrets Manager secret (password from pulumi-random, rotated by "
    "the SecretsManagerRDSPostgreSQLRotationSingleUser function) instead of manage_master_user_password"
)


def _source_of(replica: PolicyResource, instances: list[PolicyResource]) -> Optional[PolicyResource]:
    """The instance a replica copies: the one its replicateSourceDb depends on, or names."""
    for dependency in replica.property_dependencies.get("replicateSourceDb", []):
        if dependency.resource_type == RDS_INSTANCE:
            return dependency
    source = get(replica.props, "replicateSourceDb")
    if isinstance(source, str) and source:
        identifier = source.split(":")[-1]
        for other in instances:
            if other.urn != replica.urn and get(other.props, "identifier") == identifier:
                return other
    return None


def _check(args: StackValidationArgs) -> Iterator[tuple[str, Optional[str]]]:
    instances = [r for r in args.resources if r.resource_type == RDS_INSTANCE]
    for instance in instances:
        where = label(instance.resource_type, instance.name)
        managed = is_true(get(instance.props, "manageMasterUserPassword"))
        source_value = get(instance.props, "replicateSourceDb")
        is_replica = bool(instance.property_dependencies.get("replicateSourceDb")) or (
            isinstance(source_value, str) and source_value != ""
        )
        if is_replica:
            source = _source_of(instance, instances)
            if source is not None and is_true(get(source.props, "manageMasterUserPassword")):
                yield (
                    f"{where}: is a read replica of '{source.name}', whose master password RDS manages in Secrets "
                    f"Manager; RDS refuses to create such a replica ({SOURCE}). Fix: {FIX}",
                    instance.urn,
                )
            if managed:
                yield (
                    f"{where}: a read replica inherits its source's master user; manageMasterUserPassword is not "
                    f"supported on it ({SOURCE}). Fix: remove manage_master_user_password from the replica",
                    instance.urn,
                )
        if managed and is_true(get(instance.props, "blueGreenUpdate", "enabled")):
            yield (
                f"{where}: blueGreenUpdate is enabled while RDS manages the master password in Secrets Manager; "
                f"Blue/Green deployments do not support that ({SOURCE}). Fix: {FIX}",
                instance.urn,
            )


RDS_MANAGED_PASSWORD_COMPATIBLE = stack_policy(
    name="rds-managed-password-compatible",
    description=(
        "No read replica (or Blue/Green update) of an RDS instance whose master password RDS manages in "
        "Secrets Manager: RDS does not support either."
    ),
    severity=Severity.HIGH,
    check=_check,
    remediation="Keep the master credential in a stack-owned, rotated Secrets Manager secret when the instance has replicas.",
)

POLICIES = [RDS_MANAGED_PASSWORD_COMPATIBLE]
