"""A component's own customer-managed key: rotated yearly, deletion window from config, an alias, protected
with the stack's stateful resources. For stores whose service takes the key at creation only or needs a
policy of its own (a trail, a workflow, a Prometheus workspace) rather than a purpose key of the baseline."""

from __future__ import annotations

from collections.abc import Mapping

import pulumi
import pulumi_aws as aws


def component_key(
    name: str,
    *,
    description: str,
    policy: pulumi.Input[str],
    tags: Mapping[str, str],
    deletion_window_days: int,
    protect: bool,
    parent: pulumi.Resource,
    alias: str | None = None,
) -> aws.kms.Key:
    """The key ``name`` (a child of ``parent``) and its alias ``alias/<alias or name>`` (a child of the key)."""
    key = aws.kms.Key(
        name,
        description=description,
        enable_key_rotation=True,
        deletion_window_in_days=deletion_window_days,
        policy=policy,
        tags=dict(tags),
        opts=pulumi.ResourceOptions(parent=parent, protect=protect),
    )
    aws.kms.Alias(name, name=f"alias/{alias or name}", target_key_id=key.key_id, opts=pulumi.ResourceOptions(parent=key))
    return key
