"""Names derived from the project and stack, checked before anything is registered.

Every physical name of the stack starts from ``<project>-<stack>`` (``naming.stack_prefix``).
AWS caps each kind of name (``policies/aws_names.py``, the table preflight's mocks hold every
registered name to); a project or stack name of realistic length can push the longest of
them over, and the deploy would fail on that one resource after others exist. The budget
below is what the program adds after the prefix for each kind of name, at its longest (the
auto-name suffix included); tests/platform/test_name_budget.py measures it on both stacks'
plans, so a component that derives a longer name fails that test until the row is raised.
"""

from __future__ import annotations

import re

from policies.aws_names import NAME_RULES

from .config import ConfigError

# Resource type -> (characters after the prefix at their longest, the name that has them).
NAME_BUDGET: dict[str, tuple[int, str]] = {
    "aws:backup/plan:Plan": (7, "{prefix}-backup"),
    "aws:backup/selection:Selection": (16, "{prefix}-backup-database"),
    "aws:backup/vault:Vault": (15, "{prefix}-backup-primary"),
    "aws:budgets/budget:Budget": (13, "{prefix}-cost-monthly"),
    "aws:cloudfront/cachePolicy:CachePolicy": (11, "{prefix}-static-app"),
    "aws:cloudfront/originAccessControl:OriginAccessControl": (7, "{prefix}-assets"),
    "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy": (17, "{prefix}-security-headers"),
    "aws:cloudwatch/logDeliveryDestination:LogDeliveryDestination": (16, "{prefix}-cloudfront-logs"),
    "aws:cloudwatch/logDeliverySource:LogDeliverySource": (11, "{prefix}-cloudfront"),
    "aws:cloudwatch/logResourcePolicy:LogResourcePolicy": (16, "{prefix}-cloudfront-logs"),
    "aws:cloudwatch/logGroup:LogGroup": (51, "/aws/sagemaker/Endpoints/{prefix}-inference-mme-g4dn-xlarge"),
    "aws:cloudwatch/dashboard:Dashboard": (5, "{prefix}-kpis"),
    "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream": (11, "{prefix}-containers"),
    "aws:cloudwatch/eventRule:EventRule": (36, "{prefix}-compliance-threats-findings-0000000"),
    "aws:cloudwatch/metricAlarm:MetricAlarm": (57, "{prefix}-inference-mme-g4dn-xlarge-model-loading-wait-p95-0000000"),
    "aws:codebuild/project:Project": (7, "{prefix}-deploy"),
    "aws:codeconnections/connection:Connection": (7, "{prefix}-github"),
    "aws:ec2/launchTemplate:LaunchTemplate": (24, "{prefix}-eks-application-0000000"),
    "aws:ecr/repository:Repository": (19, "{prefix}/technique-selector"),
    "aws:lambda/function:Function": (23, "{prefix}-bulk-validate-manifest"),
    "aws:lb/loadBalancer:LoadBalancer": (4, "{prefix}-api"),
    "aws:ec2/securityGroup:SecurityGroup": (34, "{prefix}-inference-mme-g4dn-xlarge-0000000"),
    "aws:eks/nodeGroup:NodeGroup": (39, "{prefix}-application-<26 generated characters>"),
    "aws:elasticache/parameterGroup:ParameterGroup": (14, "{prefix}-cache-0000000"),
    "aws:elasticache/replicationGroup:ReplicationGroup": (14, "{prefix}-cache-0000000"),
    "aws:elasticache/subnetGroup:SubnetGroup": (22, "{prefix}-network-cache-0000000"),
    "aws:iam/role:Role": (40, "{prefix}-serverless-bulk-failure-handler-0000000"),
    "aws:iam/rolePolicy:RolePolicy": (40, "{prefix}-compliance-config-role-delivery-0000000"),
    "aws:kms/alias:Alias": (27, "alias/{prefix}-compliance-trail-key"),
    "aws:rds/instance:Instance": (19, "{prefix}-database-replica-1"),
    "aws:rds/parameterGroup:ParameterGroup": (17, "{prefix}-database-0000000"),
    "aws:rds/subnetGroup:SubnetGroup": (19, "{prefix}-network-db-0000000"),
    "aws:s3/bucket:Bucket": (35, "{prefix}-access-logs-123456789012-us-east-1"),
    "aws:sagemaker/endpoint:Endpoint": (26, "{prefix}-inference-mme-g4dn-xlarge"),
    "aws:sagemaker/endpointConfiguration:EndpointConfiguration": (34, "{prefix}-inference-mme-g4dn-xlarge-0000000"),
    "aws:sagemaker/model:Model": (34, "{prefix}-inference-mme-g4dn-xlarge-0000000"),
    "aws:scheduler/schedule:Schedule": (37, "{prefix}-cost-nodes-application-start-0000000"),
    "aws:secretsmanager/secret:Secret": (35, "{prefix}-serverless-webhook-signing-0000000"),
    "aws:sns/topic:Topic": (15, "{prefix}-alarms-0000000"),
    "aws:sqs/queue:Queue": (32, "{prefix}-bulk-validate-manifest-failures"),
    "aws:sfn/stateMachine:StateMachine": (15, "{prefix}-bulk-transform"),
    "aws:wafv2/webAcl:WebAcl": (11, "{prefix}-cloudfront"),
}

# Types whose names the component itself shortens to fit (the edge layer's target groups: a prefix
# cut short plus a hash), so no project or stack name makes them too long.
SELF_FITTED = frozenset({"aws:lb/targetGroup:TargetGroup"})

# RDS and ElastiCache identifiers take letters, digits and single hyphens, starting with a letter;
# S3 buckets and ECR repositories (named <prefix>/<image>) only lower case: the strictest of the
# names the prefix starts (IAM, Lambda and others take more).
_PREFIX = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
PREFIX_KEY = "project name (Pulumi.yaml) and stack name"


def check_stack_prefix(project: str, stack: str) -> None:
    """One ConfigError naming what to shorten when a derived name would pass AWS's limit."""
    prefix = f"{project}-{stack}"
    if not _PREFIX.match(prefix):
        raise ConfigError(
            PREFIX_KEY,
            prefix,
            "lower-case letters, digits and single hyphens, starting with a letter: RDS and ElastiCache "
            "identifiers, S3 buckets and ECR repositories are named from <project>-<stack>",
        )
    over = [
        (len(prefix) + extra - NAME_RULES[token].limit, token, example)
        for token, (extra, example) in NAME_BUDGET.items()
        if len(prefix) + extra > NAME_RULES[token].limit
    ]
    if over:
        excess, token, example = max(over)
        rule = NAME_RULES[token]
        name = example.replace("{prefix}", prefix)
        raise ConfigError(
            PREFIX_KEY,
            prefix,
            f"a project and stack name {excess} characters shorter together (<project>-<stack> of at most "
            f"{len(prefix) - excess} characters, not {len(prefix)}): the {rule.what.removesuffix('s')} {name!r} would be "
            f"{len(name)} characters and AWS allows {rule.limit}"
            + (f"; {len(over) - 1} other kind(s) of name would be too long as well" if len(over) > 1 else ""),
        )
