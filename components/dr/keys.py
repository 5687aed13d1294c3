"""A rotating customer-managed key with its alias: the one way the DR layer makes a key (in either Region)."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from ..platform import ComponentTags, account_key_policy


def dr_key(
    name: str,
    *,
    description: str,
    policy: pulumi.Input[str],
    deletion_window_days: int,
    protect: bool,
    tags: ComponentTags,
    opts: pulumi.ResourceOptions,
) -> aws.kms.Key:
    """A key named ``name`` (alias ``alias/<name>``) in the Region of ``opts``' provider.

    Protected like the stack's other keys: deleting one destroys every recovery point encrypted with it.
    """
    key = aws.kms.Key(
        name,
        description=f"{name}: {description}",
        enable_key_rotation=True,
        deletion_window_in_days=deletion_window_days,
        policy=policy,
        tags=tags(name),
        opts=pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(protect=protect)),
    )
    aws.kms.Alias(
        name,
        name=f"alias/{name}",
        target_key_id=key.key_id,
        opts=pulumi.ResourceOptions(parent=key),
    )
    return key


def account_dr_key(
    name: str,
    *,
    description: str,
    account_id: pulumi.Input[str],
    deletion_window_days: int,
    protect: bool,
    tags: ComponentTags,
    opts: pulumi.ResourceOptions,
) -> aws.kms.Key:
    """:func:`dr_key` whose policy is the account root's delegation to IAM: services that call KMS for the
    account (RDS, EFS) or through a role's IAM policy (ECR's creation-template role) reach it that way."""
    policy = pulumi.Output.from_input(account_id).apply(lambda a: account_key_policy(account_id=a))
    return dr_key(name, description=description, policy=policy, deletion_window_days=deletion_window_days, protect=protect, tags=tags, opts=opts)
