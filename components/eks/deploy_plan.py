"""Pure calculations for DeployRunner: names, the runner label, webhook filters, the runner's IAM policy.

The private cluster's API endpoint answers only inside the VPC, so ``pulumi preview`` and
``pulumi up`` run on CodeBuild-hosted GitHub Actions runners in the app subnets (AWS CodeBuild
user guide, "Self-hosted GitHub Actions runners in AWS CodeBuild"): the project's webhook
starts a build for each queued workflow job whose ``runs-on`` label names the project, and the
build registers itself with GitHub as an ephemeral runner for that one job.
"""

from __future__ import annotations

from ..platform import allow, policy_document

# Linux container compute types a deploy may use (CodeBuild's on-demand Linux sizes; 3, 7 and
# 15 GB of memory). The Pulumi program and Helm need more than the smallest has to spare.
COMPUTE_TYPES = ("BUILD_GENERAL1_SMALL", "BUILD_GENERAL1_MEDIUM", "BUILD_GENERAL1_LARGE")
# CodeBuild's Ubuntu standard image: Python 3.11 for actions/setup-python (whose builds are
# Ubuntu's) and the AWS CLI v2 that pulumi-eks's kubeconfig runs (`aws eks get-token`).
DEFAULT_IMAGE = "aws/codebuild/standard:7.0"
# The only webhook event the runner takes: a GitHub Actions workflow job waiting for a runner.
WORKFLOW_JOB_EVENT = "WORKFLOW_JOB_QUEUED"
CODEBUILD_SERVICE = "codebuild.amazonaws.com"
HTTPS = 443


def project_name(prefix: str) -> str:
    """The CodeBuild project (and so the runner label): ``betterprompts-<stack>-deploy``."""
    return f"{prefix}-deploy"


def connection_name(prefix: str) -> str:
    """The CodeConnections connection to GitHub (at most 32 characters)."""
    return f"{prefix}-github"


def runner_label(project: str) -> str:
    """The ``runs-on`` label of a job that runs on this project's runner (one build per job)."""
    return f"codebuild-{project}-${{{{ github.run_id }}}}-${{{{ github.run_attempt }}}}"


def log_group_name(project: str) -> str:
    """CodeBuild's own log group naming, created first so it has our retention and key."""
    return f"/aws/codebuild/{project}"


def repository_url(repository: str) -> str:
    return f"https://github.com/{repository}.git"


def webhook_filters(workflow_name: str) -> list[dict[str, str]]:
    """Queued jobs of the infrastructure workflow only (one filter group: all must match)."""
    return [
        {"type": "EVENT", "pattern": WORKFLOW_JOB_EVENT},
        {"type": "WORKFLOW_NAME", "pattern": f"^{_literal(workflow_name)}$"},
    ]


def _literal(text: str) -> str:
    return "".join(f"\\{c}" if c in r".^$*+?()[]{}|\\" else c for c in text)


def runner_policy(
    *,
    region: str,
    account_id: str,
    log_group_arn: str,
    subnet_arns: list[str],
    connection_arn: str,
) -> str:
    """What the runner's build itself needs: its logs, its network interfaces in our subnets, GitHub.

    Deploying is not among it: the workflow assumes the deploy role through GitHub's OIDC
    provider, so this role grants nothing in the account beyond running the runner.
    The EC2 statements are CodeBuild's documented VPC policy: the Describe/Create/Delete
    network-interface actions take no resource scope; the permission to attach is limited
    to our subnets and to CodeBuild.
    """
    return policy_document(
        [
            allow(["logs:CreateLogStream", "logs:PutLogEvents"], [log_group_arn, f"{log_group_arn}:*"], Sid="WriteBuildLogs"),
            allow(
                [
                    "ec2:CreateNetworkInterface",
                    "ec2:DescribeDhcpOptions",
                    "ec2:DescribeNetworkInterfaces",
                    "ec2:DeleteNetworkInterface",
                    "ec2:DescribeSubnets",
                    "ec2:DescribeSecurityGroups",
                    "ec2:DescribeVpcs",
                ],
                "*",
                Sid="RunInTheVpc",
            ),
            allow(
                ["ec2:CreateNetworkInterfacePermission"],
                f"arn:aws:ec2:{region}:{account_id}:network-interface/*",
                Sid="AttachOnlyInOurSubnets",
                Condition={
                    "StringEquals": {"ec2:AuthorizedService": CODEBUILD_SERVICE},
                    "ArnEquals": {"ec2:Subnet": sorted(subnet_arns)},
                },
            ),
            allow(
                [
                    "codeconnections:GetConnection",
                    "codeconnections:GetConnectionToken",
                    "codeconnections:UseConnection",
                    "codestar-connections:GetConnection",
                    "codestar-connections:GetConnectionToken",
                    "codestar-connections:UseConnection",
                ],
                connection_arn,
                Sid="RegisterWithGitHub",
            ),
        ]
    )


def subnet_arn(region: str, account_id: str, subnet_id: str) -> str:
    return f"arn:aws:ec2:{region}:{account_id}:subnet/{subnet_id}"
