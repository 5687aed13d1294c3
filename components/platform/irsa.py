"""IAM roles for Kubernetes service accounts (IRSA): the trust policy, computed locally, and the role with its policy."""

from __future__ import annotations

from collections.abc import Mapping

import pulumi
import pulumi_aws as aws

from .iam import policy_document


def irsa_trust_policy(oidc_provider_arn: str, oidc_issuer: str, namespace: str, service_account: str) -> str:
    """Trust only ``system:serviceaccount:<namespace>:<service_account>`` of one cluster.

    ``oidc_issuer`` is the issuer URL without ``https://``
    (``oidc.eks.us-east-1.amazonaws.com/id/ABC...``).
    """
    issuer = oidc_issuer.removeprefix("https://")
    return policy_document(
        [
            {
                "Effect": "Allow",
                "Principal": {"Federated": oidc_provider_arn},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {
                    "StringEquals": {
                        f"{issuer}:sub": f"system:serviceaccount:{namespace}:{service_account}",
                        f"{issuer}:aud": "sts.amazonaws.com",
                    }
                },
            }
        ]
    )


def service_account_role(
    name: str,
    *,
    description: str,
    oidc_provider_arn: pulumi.Input[str],
    oidc_provider_url: pulumi.Input[str],
    namespace: str,
    service_account: str,
    policy: pulumi.Input[str],
    tags: Mapping[str, str],
    parent: pulumi.Resource,
) -> tuple[aws.iam.Role, aws.iam.RolePolicy]:
    """An IRSA role (``name``) for one service account, and its one inline policy (a child of the role).

    What uses the role should wait for both: a pod whose first call comes before the policy is
    attached fails it.
    """
    role = aws.iam.Role(
        name,
        description=description,
        assume_role_policy=pulumi.Output.all(oidc_provider_arn, oidc_provider_url).apply(
            lambda v: irsa_trust_policy(v[0], v[1], namespace, service_account)
        ),
        tags=dict(tags),
        opts=pulumi.ResourceOptions(parent=parent),
    )
    inline = aws.iam.RolePolicy(name, role=role.id, policy=policy, opts=pulumi.ResourceOptions(parent=role))
    return role, inline
