"""AWS facts: what a KMS key policy must grant a service principal that delivers into an encrypted
SNS topic, SQS queue or CloudWatch Logs log group, and which condition keys that service's
requests to KMS carry.

A delivery into an encrypted destination needs a data key, which the destination service asks
KMS for *on behalf of the sender*; KMS then evaluates the key policy against the sender's service
principal. A statement whose condition names a key the request does not carry never matches, and
the delivery is dropped without an error anywhere the sender reports it. So each row lists exactly
the documented actions and the condition keys that are safe on the key statement; every row names
its documentation source.

The destination services bind every data key to the destination's ARN in the encryption context
(SNS ``aws:sns:topicArn``, SQS ``aws:sqs:arn``, CloudWatch Logs ``aws:logs:arn``), whoever the
sender is, so ``kms:EncryptionContext:<that key>`` is the scoping that always works. Confused-deputy
protection with ``aws:SourceArn``/``aws:SourceAccount`` belongs on the topic or queue policy, where
every sender carries it.

Both the pack (``policies/deliveries.py``) and the key policies the program writes
(``components/platform/kms_policy.py``) read this table, so the two cannot disagree.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Optional

SNS = "sns"
SQS = "sqs"
LOGS = "logs"

ENCRYPTION_CONTEXT_KEYS: dict[str, str] = {
    SNS: "kms:EncryptionContext:aws:sns:topicArn",
    SQS: "kms:EncryptionContext:aws:sqs:arn",
    LOGS: "kms:EncryptionContext:aws:logs:arn",
}
"""The encryption-context condition key each destination service binds its data keys to."""

SOURCE_ACCOUNT = "aws:SourceAccount"
SOURCE_ARN = "aws:SourceArn"

_SNS_EVENT_SOURCES = "https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services"


@dataclass(frozen=True)
class KeyDelivery:
    """One sender delivering into one kind of encrypted destination."""

    service: str
    """Short service name: the principal is ``<service>.amazonaws.com`` (regional for ``logs``)."""
    destination: str
    """``sns``, ``sqs`` or ``logs``."""
    actions: tuple[str, ...]
    """Exactly the KMS actions the documentation grants the principal."""
    supported_conditions: tuple[str, ...]
    """Condition keys the service's requests to KMS carry for this delivery (others never match)."""
    source: str
    """Where AWS documents the statement."""
    regional_principal: bool = False
    """The principal names the region (``logs.us-east-1.amazonaws.com``)."""

    @property
    def context_key(self) -> str:
        return ENCRYPTION_CONTEXT_KEYS[self.destination]

    def principal(self, region: str) -> str:
        return f"{self.service}.{region}.amazonaws.com" if self.regional_principal else f"{self.service}.amazonaws.com"


def _row(service: str, destination: str, actions: tuple[str, ...], source: str, *extra: str, regional: bool = False) -> KeyDelivery:
    return KeyDelivery(
        service=service,
        destination=destination,
        actions=actions,
        supported_conditions=(ENCRYPTION_CONTEXT_KEYS[destination], *extra),
        source=source,
        regional_principal=regional,
    )


_SNS_ACTIONS = ("kms:Decrypt", "kms:GenerateDataKey*")

DELIVERIES: dict[tuple[str, str], KeyDelivery] = {
    # CloudWatch alarm actions. The SNS guide's step 3 documents aws:SourceAccount/aws:SourceArn on the
    # key statement for CloudWatch, so those keys are safe here too.
    ("cloudwatch", SNS): _row("cloudwatch", SNS, _SNS_ACTIONS, _SNS_EVENT_SOURCES, SOURCE_ACCOUNT, SOURCE_ARN),
    # AWS Budgets: the Budgets guide shows the key statement without conditions.
    ("budgets", SNS): _row(
        "budgets",
        SNS,
        _SNS_ACTIONS,
        "https://docs.aws.amazon.com/cost-management/latest/userguide/budgets-sns-policy.html",
    ),
    # Cost Anomaly Detection: the guide shows the key statement without conditions.
    ("costalerts", SNS): _row(
        "costalerts",
        SNS,
        _SNS_ACTIONS,
        "https://docs.aws.amazon.com/cost-management/latest/userguide/ad-SNS.html",
    ),
    # EventBridge rule targets: aws:SourceArn/aws:SourceAccount/aws:SourceOrgID are documented as
    # unsupported in the key policy for these deliveries.
    ("events", SNS): _row(
        "events",
        SNS,
        _SNS_ACTIONS,
        "https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-resource-based.html#eb-sns-permissions",
    ),
    ("events", SQS): _row(
        "events",
        SQS,
        ("kms:Decrypt", "kms:GenerateDataKey"),
        "https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-resource-based.html#eb-sqs-permissions",
    ),
    # CloudWatch Logs encrypts every log group with its own regional principal.
    ("logs", LOGS): _row(
        "logs",
        LOGS,
        ("kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"),
        "https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html",
        regional=True,
    ),
}
"""(service, destination) -> what its key statement must grant and may condition on."""


def partition_of(region: str) -> str:
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


def destination_arn_pattern(destination: str, *, region: str, account_id: str, name: str = "*") -> str:
    """The ARN (or an ``ArnLike`` pattern) of a topic, queue or log group of this account and region."""
    partition = partition_of(region)
    if destination == LOGS:
        return f"arn:{partition}:logs:{region}:{account_id}:log-group:{name}"
    return f"arn:{partition}:{destination}:{region}:{account_id}:{name}"


def key_statement(row: KeyDelivery, *, region: str, account_id: str, name_pattern: str = "*") -> dict[str, Any]:
    """The documented statement for ``row``, scoped by encryption context to destinations of this
    account and region whose names match ``name_pattern``."""
    return {
        "Sid": f"{row.service.capitalize()}DeliversTo{row.destination.capitalize()}",
        "Effect": "Allow",
        "Principal": {"Service": row.principal(region)},
        "Action": list(row.actions),
        "Resource": "*",
        "Condition": {
            "ArnLike": {
                row.context_key: destination_arn_pattern(row.destination, region=region, account_id=account_id, name=name_pattern)
            }
        },
    }


# --- judging a key policy -----------------------------------------------------------------

_MATCHING_OPERATORS = {
    "stringequals": False,
    "arnequals": False,
    "stringlike": True,
    "arnlike": True,
}
"""Condition operators whose verdict on a known value can be computed (True: wildcards allowed)."""


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _service_principals(statement: Mapping[str, Any]) -> list[str]:
    principal = statement.get("Principal")
    if not isinstance(principal, Mapping):
        return []
    return [str(p) for p in _as_list(principal.get("Service"))]


def _covers(granted: Iterable[str], action: str) -> bool:
    return any(fnmatch.fnmatchcase(action.lower(), g.lower()) for g in granted)


def delivery_problem(
    policy: Mapping[str, Any],
    row: KeyDelivery,
    *,
    region: str,
    destination_arn: Optional[str] = None,
    exact: bool = True,
) -> Optional[str]:
    """Why ``policy`` would refuse ``row``'s deliveries (None when it admits them).

    A statement counts only when its principal is the row's, it allows, and every condition key
    is one the service carries to KMS; an encryption-context condition must also match
    ``destination_arn`` when that is known (only wildcard conditions when ``exact`` is false: the
    ARN then stands for an auto-generated name). The documented actions must all be covered by
    the statements that count.
    """
    principal = row.principal(region)
    supported = {k.lower() for k in row.supported_conditions}
    reasons: list[str] = []
    granted: list[str] = []
    candidates = [
        s
        for s in _as_list(policy.get("Statement"))
        if isinstance(s, Mapping) and s.get("Effect") == "Allow" and principal in _service_principals(s)
    ]
    for statement in candidates:
        sid = statement.get("Sid", "(no Sid)")
        condition = statement.get("Condition") or {}
        keys = [(op, key, value) for op, block in condition.items() if isinstance(block, Mapping) for key, value in block.items()]
        unsupported = sorted({key for _, key, _ in keys if key.lower() not in supported})
        if unsupported:
            reasons.append(
                f"statement {sid} conditions on {', '.join(unsupported)}, which {principal} does not carry to KMS "
                f"for deliveries to {row.destination}, so it never matches"
            )
            continue
        mismatch = _context_mismatch(keys, row, destination_arn, exact=exact)
        if mismatch:
            reasons.append(f"statement {sid} {mismatch}")
            continue
        granted.extend(str(a) for a in _as_list(statement.get("Action")))
    missing = [a for a in row.actions if not _covers(granted, a)]
    if not missing:
        return None
    if not candidates:
        reasons.append(f"no statement names the principal {principal}")
    return f"{principal} lacks {', '.join(missing)} ({'; '.join(reasons) or 'not granted'})"


def _context_mismatch(
    keys: list[tuple[str, str, Any]], row: KeyDelivery, destination_arn: Optional[str], *, exact: bool = True
) -> Optional[str]:
    if destination_arn is None:
        return None
    for operator, key, value in keys:
        if key.lower() != row.context_key.lower():
            continue
        wildcards = _MATCHING_OPERATORS.get(operator.lower().removesuffix("ifexists"))
        if wildcards is None or (not wildcards and not exact):
            continue  # an operator this check does not evaluate, or a name not known exactly: not judged
        patterns = [str(v) for v in _as_list(value)]
        if wildcards:
            matched = any(fnmatch.fnmatchcase(destination_arn, p) for p in patterns)
        else:
            matched = destination_arn in patterns
        if not matched:
            return f"limits {key} to {patterns}, which does not match {destination_arn}"
    return None
