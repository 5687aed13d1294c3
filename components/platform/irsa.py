"""IAM roles for Kubernetes service accounts (IRSA): the trust policy, computed locally."""

from __future__ import annotations

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
