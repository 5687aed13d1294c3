"""ImageReplication: the application's images copied by ECR to the DR Region, as safe there as at home.

- A repository creation template in the DR Region (``REPLICATION``, this stack's repository prefix) makes
  every replica repository the way ``ImageRepositories`` makes the sources: immutable tags, a customer key
  (a rotating DR-Region key: KMS keys never leave their Region), the same lifecycle policy, and the
  stack's cost-allocation tags (a template's ``resourceTags`` are not covered by the provider's default
  tags). Its custom role is what ECR needs to create and tag the replicas and to grant itself the key.
- The account registry's replication configuration (one per account and Region) only where this stack
  owns it (``betterprompts:dr.images.manageRegistryReplication``), after the template: a replica created
  before it would keep ECR's defaults (AES256, mutable tags) for good, encryption being immutable.

Facts and sources in ``images_plan.py``; docs/dr.md "Container images".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Optional

import pulumi
import pulumi_aws as aws

from ..apps import lifecycle_policy
from ..platform import ComponentTags, service_assume_role_policy
from .images_plan import APPLIED_FOR, FILTER_TYPE, replication_filter, template_role_policy
from .keys import account_dr_key


@dataclass
class ImageReplicationArgs:
    """Inputs of :class:`ImageReplication`."""

    repository_prefix: str
    """This stack's repositories are ``<prefix>/<image>`` (``betterprompts:images.repositoryPrefix``)."""
    region: str
    dr_region: str
    account_id: pulumi.Input[str]
    dr_provider: pulumi.ProviderResource
    """An AWS provider for ``dr_region`` with the stack's default tags."""
    keep_releases: int
    untagged_expire_days: int
    resource_tags: Mapping[str, str] = field(default_factory=dict)
    """Tags every replica repository gets (the stack's cost-allocation tags)."""
    manage_registry_replication: bool = False
    """Write the account registry's replication configuration (one stack per account)."""
    kms_deletion_window_days: int = 30
    protect: bool = True
    """Pulumi-protect the DR key (the replicas are encrypted with it)."""


class ImageReplication(pulumi.ComponentResource):
    """A DR-Region creation template (and key, role) for this stack's replicas, and optionally the registry's replication."""

    key_arn: pulumi.Output[str]
    template_prefix: pulumi.Output[str]

    def __init__(self, name: str, args: ImageReplicationArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:
        _check_args(args)
        super().__init__("betterprompts:dr:ImageReplication", name, None, opts)
        tags = ComponentTags("dr-images")
        account = pulumi.Output.from_input(args.account_id)
        in_dr = pulumi.ResourceOptions(parent=self, provider=args.dr_provider)

        # ECR's documented key policy: the account-root statement, through which the role's IAM policy
        # grants ECR the key (kms:RetireGrant must come from IAM, ECR's "Required IAM permissions").
        self.key = account_dr_key(
            f"{name}-key",
            description=f"Replicated container images in {args.dr_region}",
            account_id=account,
            deletion_window_days=args.kms_deletion_window_days,
            protect=args.protect,
            tags=tags,
            opts=in_dr,
        )
        role_name = f"{name}-ecr"
        self.role = aws.iam.Role(
            role_name,
            description=f"ECR creates {args.repository_prefix}/* replicas in {args.dr_region} under the DR key",
            # ECR's documented trust for a creation template's role (no aws:Source* condition is documented for it).
            assume_role_policy=service_assume_role_policy("ecr.amazonaws.com"),
            tags=tags(role_name),
            opts=pulumi.ResourceOptions(parent=self),
        )
        policy = aws.iam.RolePolicy(
            role_name,
            role=self.role.id,
            policy=pulumi.Output.all(account, self.key.arn).apply(
                lambda v: template_role_policy(
                    prefix=args.repository_prefix, region=args.region, dr_region=args.dr_region, account_id=v[0], key_arn=v[1]
                )
            ),
            opts=pulumi.ResourceOptions(parent=self.role),
        )
        self.template = aws.ecr.RepositoryCreationTemplate(
            name,
            prefix=args.repository_prefix,
            applied_fors=list(APPLIED_FOR),
            description=f"Replicas of {args.repository_prefix}/* from {args.region}: immutable, DR key, lifecycle, tags",
            image_tag_mutability="IMMUTABLE",
            encryption_configurations=[
                aws.ecr.RepositoryCreationTemplateEncryptionConfigurationArgs(encryption_type="KMS", kms_key=self.key.arn)
            ],
            lifecycle_policy=lifecycle_policy(keep_releases=args.keep_releases, untagged_days=args.untagged_expire_days),
            resource_tags={**args.resource_tags, "Component": tags.component},
            custom_role_arn=self.role.arn,
            # ECR uses the role when it creates a replica: its permissions first.
            opts=pulumi.ResourceOptions.merge(in_dr, pulumi.ResourceOptions(depends_on=[policy])),
        )
        if args.manage_registry_replication:
            self.replication = aws.ecr.ReplicationConfiguration(
                f"{name}-registry",
                replication_configuration=aws.ecr.ReplicationConfigurationReplicationConfigurationArgs(
                    rules=[
                        aws.ecr.ReplicationConfigurationReplicationConfigurationRuleArgs(
                            destinations=[
                                aws.ecr.ReplicationConfigurationReplicationConfigurationRuleDestinationArgs(
                                    region=args.dr_region, registry_id=account
                                )
                            ],
                            repository_filters=[
                                aws.ecr.ReplicationConfigurationReplicationConfigurationRuleRepositoryFilterArgs(
                                    filter=replication_filter(args.repository_prefix), filter_type=FILTER_TYPE
                                )
                            ],
                        )
                    ]
                ),
                # The source Region's registry (the stack's provider), once the template can shape the replicas.
                opts=pulumi.ResourceOptions(parent=self, depends_on=[self.template]),
            )
        self.key_arn = self.key.arn
        self.template_prefix = self.template.prefix
        self.register_outputs({"key_arn": self.key_arn, "template_prefix": self.template_prefix})


def _check_args(args: ImageReplicationArgs) -> None:
    if args.dr_region == args.region:
        raise ValueError(f"ImageReplication: dr_region {args.dr_region!r} is the stack's own Region (ECR replicates to another)")
    if args.keep_releases < 1 or args.untagged_expire_days < 1:
        raise ValueError("ImageReplication keeps at least one release and expires untagged images after at least a day")
    replication_filter(args.repository_prefix)
