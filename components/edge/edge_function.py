"""The Lambda@Edge SEO router (``seo_routing.py``) as a published function in us-east-1.

Lambda@Edge's restrictions (CloudFront developer guide, "Restrictions on Lambda@Edge"): the function
lives in us-east-1 (the provider in the parent's ``opts``), is referenced by a numbered version (never
``$LATEST``: ``publish=True`` and the ``qualified_arn``), has no environment variables, no VPC, no
layers, x86_64 only, and its role is assumable by ``lambda.amazonaws.com`` and
``edgelambda.amazonaws.com``. A viewer-request function has at most 128 MB, 5 seconds and a 1 MB
package: this one is a single standard-library file.

Lambda@Edge writes its logs in the region of each edge location that ran it, to
``/aws/lambda/us-east-1.<name>``; the role may create and write exactly those groups. Replicas are
deleted by CloudFront hours after the association is removed, so a destroy keeps the function
(``skip_destroy``) instead of failing on it.
"""

from __future__ import annotations

from pathlib import Path

import pulumi
import pulumi_aws as aws

from ..platform import ComponentTags, policy_document
from .cdn_plan import EDGE_FUNCTION_MEMORY_MB, EDGE_FUNCTION_RUNTIME, EDGE_FUNCTION_TIMEOUT_SECONDS, edge_function_name

SOURCE = Path(__file__).with_name("seo_routing.py")
HANDLER = "seo_routing.handler"


def edge_trust_policy() -> str:
    """Lambda runs the function; Lambda@Edge replicates it to the edge locations (both assume the role)."""
    return policy_document(
        [
            {
                "Effect": "Allow",
                "Principal": {"Service": ["edgelambda.amazonaws.com", "lambda.amazonaws.com"]},
                "Action": "sts:AssumeRole",
            }
        ]
    )


def edge_logs_policy(function_name: str, account_id: str, partition: str = "aws") -> str:
    """Write its logs in any region an edge location runs it, into its own log groups only."""
    groups = [
        f"arn:{partition}:logs:*:{account_id}:log-group:/aws/lambda/us-east-1.{function_name}",
        f"arn:{partition}:logs:*:{account_id}:log-group:/aws/lambda/{function_name}",
    ]
    return policy_document(
        [
            {"Sid": "CreateItsLogGroups", "Effect": "Allow", "Action": "logs:CreateLogGroup", "Resource": groups},
            {
                "Sid": "WriteItsLogs",
                "Effect": "Allow",
                "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                "Resource": [f"{group}:*" for group in groups],
            },
        ]
    )


def seo_router(
    name: str, *, prefix: str, account_id: pulumi.Input[str], tags: ComponentTags, parent: pulumi.Resource
) -> aws.lambda_.Function:
    """The published function; associate its ``qualified_arn`` (the numbered version)."""
    function_name = edge_function_name(prefix)
    role_name = f"{name}-role"
    role = aws.iam.Role(
        role_name,
        description="Lambda@Edge SEO router: writes its own logs, nothing else",
        assume_role_policy=edge_trust_policy(),
        tags=tags(role_name),
        opts=pulumi.ResourceOptions(parent=parent),
    )
    aws.iam.RolePolicy(
        f"{name}-logs",
        role=role.id,
        policy=pulumi.Output.from_input(account_id).apply(lambda account: edge_logs_policy(function_name, account)),
        opts=pulumi.ResourceOptions(parent=role),
    )
    return aws.lambda_.Function(
        name,
        name=function_name,
        description="Crawlers' pages to the server-rendered path, everyone else to the static app",
        role=role.arn,
        runtime=EDGE_FUNCTION_RUNTIME,
        handler=HANDLER,
        # One file, its content alone decides the archive's hash: the same source is the same version.
        code=pulumi.AssetArchive({SOURCE.name: pulumi.FileAsset(str(SOURCE))}),
        architectures=["x86_64"],
        memory_size=EDGE_FUNCTION_MEMORY_MB,
        timeout=EDGE_FUNCTION_TIMEOUT_SECONDS,
        publish=True,
        skip_destroy=True,
        # The pack's Lambda policies skip X-Ray and the dead-letter queue for it: CloudFront refuses both.
        tags=tags(name, {"LambdaEdge": "true"}),
        opts=pulumi.ResourceOptions(parent=parent),
    )
