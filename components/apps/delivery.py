"""DeliveryAccess: the application repository's GitHub Actions identity in this stack.

- GitHub's OIDC identity provider (``token.actions.githubusercontent.com``, audience
  ``sts.amazonaws.com``), created here only when ``create_oidc_provider`` says this stack owns it:
  IAM allows one provider per URL per account, and both stacks share one. Otherwise its ARN is
  computed locally.
- The deploy role, trusted for exactly one repository and environment (or branch): the ``sub``
  claim is pinned with ``StringEquals`` (the pack's ``iam-oidc-trust-pins-subject`` refuses a
  pattern), so no other repository, fork, branch or pull request can assume it.
- Its rights: push to the stack's image repositories, describe its cluster.
- An EKS access entry (``STANDARD``) for the role with ``AmazonEKSEditPolicy`` scoped to the
  workloads' namespaces: it can roll out images there, and cannot read Secrets elsewhere, change
  RBAC or touch the cluster's add-ons.

Pure parts: ``delivery_plan``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Optional

import pulumi
import pulumi_aws as aws

from ..platform import ComponentTags
from . import delivery_plan as plan


@dataclass
class DeliveryAccessArgs:
    """Inputs of :class:`DeliveryAccess`."""

    github_repository: str
    """``owner/name`` of the application repository."""
    subject: str
    """The exact ``sub`` claim the role trusts (``delivery_plan.subject``)."""
    account_id: pulumi.Input[str]
    region: str
    cluster_name: pulumi.Input[str]
    """The cluster the role deploys to (resolves once the cluster is ACTIVE)."""
    repository_arns: Mapping[str, pulumi.Input[str]]
    """The image repositories the role pushes to, by image."""
    namespaces: Sequence[str]
    """The workloads' namespaces; the role's Kubernetes rights stop at them."""
    create_oidc_provider: bool = False
    partition: str = "aws"


def _check_args(args: DeliveryAccessArgs) -> None:
    if not args.namespaces or len(set(args.namespaces)) != len(args.namespaces):
        raise ValueError(f"DeliveryAccess needs distinct workload namespaces, got {list(args.namespaces)}")
    if any(ns in ("kube-system", "default") for ns in args.namespaces):
        raise ValueError("DeliveryAccess deploys to the workloads' own namespaces, never kube-system or default")
    if not args.repository_arns:
        raise ValueError("DeliveryAccess needs the image repositories it pushes to")
    plan.trust_policy("arn:aws:iam::000000000000:oidc-provider/x", args.subject)  # an exact subject


class DeliveryAccess(pulumi.ComponentResource):
    """GitHub OIDC provider (optional), the deploy role and its namespaced EKS access entry."""

    role_arn: pulumi.Output[str]
    oidc_provider_arn: pulumi.Output[str]

    def __init__(self, name: str, args: DeliveryAccessArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:
        _check_args(args)
        super().__init__("betterprompts:apps:DeliveryAccess", name, None, opts)
        tags = ComponentTags("delivery")
        child = pulumi.ResourceOptions(parent=self)

        provider_arn: pulumi.Output[str]
        if args.create_oidc_provider:
            provider = aws.iam.OpenIdConnectProvider(
                f"{name}-github",
                url=plan.GITHUB_OIDC_URL,
                client_id_lists=[plan.STS_AUDIENCE],
                # No thumbprint: IAM verifies GitHub's JWKS endpoint against its library of trusted
                # root CAs, and fills in one itself when none is given.
                tags=tags(f"{name}-github"),
                opts=child,
            )
            provider_arn = provider.arn
        else:
            provider_arn = pulumi.Output.from_input(args.account_id).apply(lambda a: plan.oidc_provider_arn(a, args.partition))

        role_name = f"{name}-deploy"
        self.role = aws.iam.Role(
            role_name,
            description=f"GitHub Actions of {args.github_repository} ({args.subject}): push images, deploy to {', '.join(args.namespaces)}",
            assume_role_policy=provider_arn.apply(lambda arn: plan.trust_policy(arn, args.subject)),
            # A job's credentials last an hour (configure-aws-credentials' default).
            max_session_duration=3600,
            tags=tags(role_name),
            opts=child,
        )
        images = sorted(args.repository_arns)
        aws.iam.RolePolicy(
            role_name,
            role=self.role.id,
            policy=pulumi.Output.all(
                pulumi.Output.from_input(args.account_id),
                pulumi.Output.from_input(args.cluster_name),
                *[args.repository_arns[i] for i in images],
            ).apply(
                lambda v: plan.deploy_policy(
                    repository_arns=v[2:], cluster=plan.cluster_arn(args.region, v[0], v[1], args.partition)
                )
            ),
            opts=pulumi.ResourceOptions(parent=self.role),
        )

        entry = aws.eks.AccessEntry(
            f"{name}-access",
            cluster_name=args.cluster_name,
            principal_arn=self.role.arn,
            type=plan.ACCESS_ENTRY_TYPE,
            tags=tags(f"{name}-access"),
            opts=child,
        )
        aws.eks.AccessPolicyAssociation(
            f"{name}-edit",
            cluster_name=args.cluster_name,
            principal_arn=entry.principal_arn,
            policy_arn=plan.EDIT_POLICY_ARN,
            access_scope=aws.eks.AccessPolicyAssociationAccessScopeArgs(type="namespace", namespaces=list(args.namespaces)),
            opts=pulumi.ResourceOptions(parent=entry),
        )

        self.role_arn = self.role.arn
        self.oidc_provider_arn = provider_arn
        self.register_outputs({"role_arn": self.role_arn, "oidc_provider_arn": self.oidc_provider_arn})
