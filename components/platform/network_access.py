"""Security groups that admit one service port only from given client security groups.

Used by every stateful service in the private tiers (PostgreSQL, Redis, ...): no CIDR
ingress at all, so nothing reaches the service unless it carries one of the client
groups, and no egress (a database or cache never opens connections itself).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Optional

import pulumi
import pulumi_aws as aws

from .naming import ComponentTags


def service_security_group(
    name: str,
    *,
    vpc_id: pulumi.Input[str],
    port: int,
    service: str,
    client_security_group_ids: Sequence[pulumi.Input[str]],
    tags: ComponentTags,
    opts: Optional[pulumi.ResourceOptions] = None,
) -> aws.ec2.SecurityGroup:
    """A security group admitting TCP ``port`` from ``client_security_group_ids`` and nothing else.

    The clients are one rule with several source groups, so adding or removing a client
    never renumbers or replaces the others.
    """
    if not client_security_group_ids:
        raise ValueError(f"{name}: at least one client security group must be admitted to {service}")
    return aws.ec2.SecurityGroup(
        name,
        description=f"{service}: port {port} from the client security groups only",
        vpc_id=vpc_id,
        ingress=[
            aws.ec2.SecurityGroupIngressArgs(
                description=f"{service} clients",
                protocol="tcp",
                from_port=port,
                to_port=port,
                security_groups=list(client_security_group_ids),
            )
        ],
        # Explicitly empty: the service never initiates connections, and drift is reverted.
        egress=[],
        tags=tags(name),
        opts=opts,
    )
