"""Pure calculations for DeliveryAccess: GitHub's OIDC identity, the deploy role's trust and rights.

The application repository's workflow authenticates to AWS with GitHub's OIDC token
(``aws-actions/configure-aws-credentials``): IAM trusts the account's identity provider for
``token.actions.githubusercontent.com`` (one per account and URL), and the deploy role trusts
that provider only for tokens whose audience is STS and whose subject is exactly the
configured repository and environment (or branch). The role may push to the stack's four
image repositories and find its cluster; inside the cluster an EKS access entry with
``AmazonEKSEditPolicy`` scoped to the workloads' namespaces lets it roll out images there
and nowhere else (no cluster-admin, no RBAC objects).
"""

from __future__ import annotations

from collections.abc import Sequence

from ..platform import allow, policy_document

GITHUB_OIDC_HOST = "token.actions.githubusercontent.com"
GITHUB_OIDC_URL = f"https://{GITHUB_OIDC_HOST}"
STS_AUDIENCE = "sts.amazonaws.com"
"""The audience ``configure-aws-credentials`` asks GitHub for (its default)."""
EDIT_POLICY_ARN = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSEditPolicy"
"""EKS's access policy mirroring Kubernetes' ``edit`` ClusterRole: workloads, not RBAC or quotas."""
ACCESS_ENTRY_TYPE = "STANDARD"

# What `docker push` (amazon-ecr-login's token) needs on a repository, from ECR's "Pushing an
# image" IAM example; BatchGetImage/DescribeImages let the workflow read back the pushed digest.
PUSH_ACTIONS = (
    "ecr:BatchCheckLayerAvailability",
    "ecr:BatchGetImage",
    "ecr:CompleteLayerUpload",
    "ecr:DescribeImages",
    "ecr:InitiateLayerUpload",
    "ecr:PutImage",
    "ecr:UploadLayerPart",
)


def oidc_provider_arn(account_id: str, partition: str = "aws") -> str:
    """The account's GitHub provider ARN, as IAM names it (the URL without ``https://``)."""
    return f"arn:{partition}:iam::{account_id}:oidc-provider/{GITHUB_OIDC_HOST}"


def subject(repository: str, *, environment: str | None = None, branch: str | None = None) -> str:
    """GitHub's ``sub`` claim for a job of ``repository`` in an environment, or on a branch.

    A job that names an environment gets ``repo:<owner>/<repo>:environment:<name>`` (whatever
    its branch); one without gets ``repo:<owner>/<repo>:ref:refs/heads/<branch>``.
    """
    if (environment is None) == (branch is None):
        raise ValueError("exactly one of environment and branch")
    if environment is not None:
        return f"repo:{repository}:environment:{environment}"
    return f"repo:{repository}:ref:refs/heads/{branch}"


def trust_policy(provider_arn: str, sub: str) -> str:
    """Web identity from GitHub's provider, only with STS's audience and exactly this subject."""
    if any(c in sub for c in "*?"):
        raise ValueError(f"the subject must be exact, not a pattern: {sub!r}")
    return policy_document(
        [
            {
                "Sid": "GitHubActionsOfOneRepository",
                "Effect": "Allow",
                "Principal": {"Federated": provider_arn},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {
                    "StringEquals": {
                        f"{GITHUB_OIDC_HOST}:aud": STS_AUDIENCE,
                        f"{GITHUB_OIDC_HOST}:sub": sub,
                    }
                },
            }
        ]
    )


def cluster_arn(region: str, account_id: str, cluster_name: str, partition: str = "aws") -> str:
    return f"arn:{partition}:eks:{region}:{account_id}:cluster/{cluster_name}"


def deploy_policy(*, repository_arns: Sequence[str], cluster: str) -> str:
    """Push to the stack's image repositories and find the cluster; nothing else in the account.

    ``ecr:GetAuthorizationToken`` has no resource-level permissions (ECR's service
    authorization reference): it is granted on ``*`` alone, and the token it returns is only
    as good as the repository statements next to it.
    """
    if not repository_arns:
        raise ValueError("the deploy role pushes to at least one repository")
    return policy_document(
        [
            allow(["ecr:GetAuthorizationToken"], "*", Sid="RegistryLogin"),
            allow(list(PUSH_ACTIONS), sorted(repository_arns), Sid="PushReleaseImages"),
            # `aws eks update-kubeconfig`; the Kubernetes rights come from the access entry.
            allow(["eks:DescribeCluster"], cluster, Sid="FindTheCluster"),
        ]
    )
