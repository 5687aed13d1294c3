"""Key policies for the platform's customer-managed KMS keys, one key per purpose.

Each purpose names the AWS services that deliver into destinations encrypted with the key
(they cannot rely on IAM delegation): their statements come from the pack's table of documented
deliveries (``policies/kms_deliveries.py``), one statement per service with exactly the documented
actions, scoped by the destination's encryption context rather than by ``aws:Source*`` keys that
some senders do not carry to KMS. Everything else reaches a key through IAM policies, which the
account-root statement delegates to.
"""

from __future__ import annotations

from dataclasses import dataclass
from collections.abc import Mapping, Sequence
from typing import Any

from policies.kms_deliveries import DELIVERIES, LOGS, SNS, SQS, key_statement

from .iam import policy_document

CRYPTO_ACTIONS = ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"]

AUTOSCALING_SERVICE = "autoscaling.amazonaws.com"
AUTOSCALING_LINKED_ROLE = f"{AUTOSCALING_SERVICE}/AWSServiceRoleForAutoScaling"

# Karpenter's troubleshooting guide ("Node terminates before ready on failed encrypted EBS volume"):
# the principal that launches a node may not be named in the key policy, so the key admits any
# principal of this account that uses it through EC2, as the AWS-managed EBS key does.
EBS_THROUGH_EC2_ACTIONS = ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:CreateGrant", "kms:DescribeKey"]


@dataclass(frozen=True)
class KeyPurpose:
    description: str
    deliveries: tuple[tuple[str, str], ...] = ()
    """(service, destination) rows of ``policies.kms_deliveries.DELIVERIES`` the key always admits."""
    optional_deliveries: tuple[tuple[str, str], ...] = ()
    """Rows admitted only when the stack has such a sender (:class:`KeyOptions`)."""
    service_linked_roles: tuple[str, ...] = ()
    """Service-linked roles (path after ``role/aws-service-role/``) that use the key directly."""


# Purposes and what they encrypt. Later components pick the key by purpose.
KEY_PURPOSES: dict[str, KeyPurpose] = {
    "logs": KeyPurpose(
        "CloudWatch Logs: VPC flow logs, EKS control plane and application logs", deliveries=(("logs", LOGS),)
    ),
    "data": KeyPurpose("Databases and caches: RDS, ElastiCache, Secrets Manager, Performance Insights"),
    "eks": KeyPurpose("EKS Kubernetes secrets envelope encryption"),
    "storage": KeyPurpose(
        "S3 buckets, EBS volumes and EFS file systems",
        # Auto Scaling launches the EKS node groups' instances, whose launch templates encrypt
        # the root volumes with this key: its service-linked role must use the key and grant
        # EC2 the use of it (AWS: "Required AWS KMS key policy for use with encrypted volumes").
        service_linked_roles=(AUTOSCALING_LINKED_ROLE,),
    ),
    "alarms": KeyPurpose(
        "Operational signals: the alarm topic (SNS) that CloudWatch alarms, AWS Budgets and Cost Anomaly"
        " Detection publish to, and Karpenter's interruption queue (SQS) that EventBridge sends to",
        deliveries=(("cloudwatch", SNS), ("budgets", SNS), ("costalerts", SNS)),
        optional_deliveries=(("events", SQS), ("events", SNS)),
    ),
}


@dataclass(frozen=True)
class KeyOptions:
    """What a stack adds to the fixed purposes (all off: the smallest policy)."""

    name_prefix: str = ""
    """Topics and queues the delivery statements admit are named ``<name_prefix>-*`` (all of this
    account and region when empty). Their exact ARNs cannot be named: the key exists before them."""
    eventbridge_to_queues: bool = False
    """EventBridge sends to an SQS queue under the alarms key (Karpenter's interruption queue)."""
    ebs_through_ec2: bool = False
    """Any principal of the account may use the storage key through EC2 (Karpenter's nodes)."""
    eventbridge_to_topics: bool = False
    """EventBridge publishes to an SNS topic under the alarms key (GuardDuty findings to the alarm topic)."""


def account_key_policy(*, account_id: str, statements: Sequence[Mapping[str, Any]] = (), partition: str = "aws") -> str:
    """A key the account's IAM policies reach (the root statement delegates to them) plus ``statements``:
    for keys outside the purposes above, such as the disaster-recovery Region's keys."""
    root = f"arn:{partition}:iam::{account_id}:root"
    administers = {"Sid": "AccountAdministers", "Effect": "Allow", "Principal": {"AWS": root}, "Action": "kms:*", "Resource": "*"}
    return policy_document([administers, *statements])


def key_policy(purpose: str, *, account_id: str, region: str, partition: str = "aws", options: KeyOptions = KeyOptions()) -> str:
    """The key policy for one purpose: account root administers, named services use."""
    root = f"arn:{partition}:iam::{account_id}:root"
    definition = KEY_PURPOSES[purpose]
    statements: list[dict[str, Any]] = [
        {
            "Sid": "AccountAdministers",
            "Effect": "Allow",
            "Principal": {"AWS": root},
            "Action": "kms:*",
            "Resource": "*",
        }
    ]
    rows = list(definition.deliveries)
    if options.eventbridge_to_queues:
        rows += [row for row in definition.optional_deliveries if row == ("events", SQS)]
    if options.eventbridge_to_topics:
        rows += [row for row in definition.optional_deliveries if row == ("events", SNS)]
    sids: set[str] = set()
    for service, destination in rows:
        # Log group names vary (/aws/rds/..., RDSOSMetrics, /aws/lambda/...): the account and region scope them.
        pattern = f"{options.name_prefix}-*" if options.name_prefix and destination != LOGS else "*"
        statement = key_statement(DELIVERIES[(service, destination)], region=region, account_id=account_id, name_pattern=pattern)
        # Sids are unique within a policy: a second row of one service names its destination.
        sid = f"{service.capitalize()}Uses"
        statement["Sid"] = sid if sid not in sids else f"{sid}For{destination.capitalize()}"
        sids.add(statement["Sid"])
        statements.append(statement)
    for linked_role in definition.service_linked_roles:
        principal = {"AWS": f"arn:{partition}:iam::{account_id}:role/aws-service-role/{linked_role}"}
        name = linked_role.rsplit("/", 1)[-1].removeprefix("AWSServiceRoleFor")
        statements.append(
            {
                "Sid": f"{name}Uses",
                "Effect": "Allow",
                "Principal": principal,
                "Action": CRYPTO_ACTIONS,
                "Resource": "*",
            }
        )
        statements.append(
            {
                "Sid": f"{name}GrantsToAwsResources",
                "Effect": "Allow",
                "Principal": principal,
                "Action": "kms:CreateGrant",
                "Resource": "*",
                "Condition": {"Bool": {"kms:GrantIsForAWSResource": "true"}},
            }
        )
    if purpose == "storage" and options.ebs_through_ec2:
        statements.append(
            {
                "Sid": "AccountPrincipalsUseThroughEc2",
                "Effect": "Allow",
                "Principal": {"AWS": "*"},
                "Action": EBS_THROUGH_EC2_ACTIONS,
                "Resource": "*",
                "Condition": {
                    "StringEquals": {"kms:ViaService": f"ec2.{region}.amazonaws.com", "kms:CallerAccount": account_id}
                },
            }
        )
    return policy_document(statements)
