"""Every delivery into an encrypted topic, queue or log group is admitted by its key's policy.

A CloudWatch alarm, a budget, an anomaly subscription or an EventBridge target that sends to a
destination encrypted with a customer-managed key works only if that key's policy admits the
sender's service principal with the documented actions and with no condition key the sender does
not carry to KMS (``policies/kms_deliveries.py``). Otherwise the notification is dropped without
an error. Log groups count too: CloudWatch Logs itself must be admitted to the key a group names.

The plan links a sender to its destination, and a destination to its key, through property
dependencies (the ARN outputs it was given), the way the engine records them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Optional

from pulumi_policy import PolicyResource, Severity, StackValidationArgs

from .common import UNKNOWN, get, label, stack_policy
from .kms_deliveries import DELIVERIES, LOGS, SNS, SQS, KeyDelivery, delivery_problem, destination_arn_pattern

KMS_KEY = "aws:kms/key:Key"
DESTINATIONS: dict[str, tuple[str, str]] = {
    "aws:sns/topic:Topic": (SNS, "kmsMasterKeyId"),
    "aws:sqs/queue:Queue": (SQS, "kmsMasterKeyId"),
    "aws:cloudwatch/logGroup:LogGroup": (LOGS, "kmsKeyId"),
}
"""Encrypted destination types: their kind and the property naming their key."""

SENDERS: dict[str, tuple[str, tuple[str, ...]]] = {
    "aws:cloudwatch/metricAlarm:MetricAlarm": ("cloudwatch", ("alarmActions", "okActions", "insufficientDataActions")),
    "aws:budgets/budget:Budget": ("budgets", ("notifications",)),
    "aws:costexplorer/anomalySubscription:AnomalySubscription": ("costalerts", ("subscribers",)),
    "aws:cloudwatch/eventTarget:EventTarget": ("events", ("arn",)),
}
"""Sender types: their service and the properties that name destinations."""

_ROOT = re.compile(r"^arn:[^:]+:iam::(\d{12}):root$")


@dataclass(frozen=True)
class Delivery:
    sender: PolicyResource
    row: KeyDelivery
    destination: PolicyResource


def deliveries(resources: list[PolicyResource]) -> Iterator[Delivery]:
    """Every (sender, destination) pair in the plan, log groups delivering to themselves."""
    for resource in resources:
        if resource.resource_type in SENDERS:
            service, props = SENDERS[resource.resource_type]
            seen: set[str] = set()
            for prop in props:
                for target in resource.property_dependencies.get(prop, []):
                    kind = DESTINATIONS.get(target.resource_type)
                    row = DELIVERIES.get((service, kind[0])) if kind else None
                    if row is not None and target.urn not in seen:
                        seen.add(target.urn)
                        yield Delivery(resource, row, target)
        elif resource.resource_type == "aws:cloudwatch/logGroup:LogGroup":
            yield Delivery(resource, DELIVERIES[("logs", LOGS)], resource)


def _key_of(destination: PolicyResource) -> Optional[PolicyResource]:
    _, prop = DESTINATIONS[destination.resource_type]
    return next((r for r in destination.property_dependencies.get(prop, []) if r.resource_type == KMS_KEY), None)


def _account(policy: dict[str, Any]) -> Optional[str]:
    for statement in policy.get("Statement") or []:
        principal = statement.get("Principal") if isinstance(statement, dict) else None
        if isinstance(principal, dict):
            arns = principal.get("AWS")
            for arn in arns if isinstance(arns, list) else [arns]:
                match = _ROOT.match(str(arn))
                if match:
                    return match.group(1)
    return None


AUTONAME_SUFFIX = "-0000000"
"""Stands in for the 7 random characters Pulumi appends to an auto-named resource's logical name."""


def _destination_arn(delivery: Delivery, region: str, account: Optional[str]) -> tuple[Optional[str], bool]:
    """The destination's ARN, and whether it is exact: an explicit name fixes it; an auto-named
    destination is ``<logical name>-<7 characters>``, which only wildcard conditions can be judged on."""
    if account is None:
        return None, False
    name = get(delivery.destination.props, "name")
    if isinstance(name, str) and name:
        return destination_arn_pattern(delivery.row.destination, region=region, account_id=account, name=name), True
    if name is None:
        auto = f"{delivery.destination.name}{AUTONAME_SUFFIX}"
        return destination_arn_pattern(delivery.row.destination, region=region, account_id=account, name=auto), False
    return None, False  # unknown until the preview that knows it


def _check(args: StackValidationArgs) -> Iterator[tuple[str, Optional[str]]]:
    for delivery in deliveries(list(args.resources)):
        key = _key_of(delivery.destination)
        document = get(key.props, "policy") if key is not None else None
        if key is None or document is UNKNOWN or not isinstance(document, str):
            continue  # not encrypted with a key of this stack, or its policy is not known yet
        try:
            policy = json.loads(document)
        except ValueError:
            continue  # another policy reports malformed documents
        provider = delivery.sender.provider
        region = get(provider.props, "region") if provider is not None else None
        if not isinstance(region, str):
            continue
        arn, exact = _destination_arn(delivery, region, _account(policy))
        problem = delivery_problem(policy, delivery.row, region=region, destination_arn=arn, exact=exact)
        if problem is None:
            continue
        sender = label(delivery.sender.resource_type, delivery.sender.name)
        target = label(delivery.destination.resource_type, delivery.destination.name)
        if delivery.sender is delivery.destination:
            subject = f"{sender} is encrypted with key '{key.name}', which does not admit CloudWatch Logs"
        else:
            subject = f"{sender} delivers to {target}, whose key '{key.name}' does not admit it"
        yield (
            f"{subject}: {problem}. Deliveries are dropped silently. "
            f"Fix: grant {', '.join(delivery.row.actions)} to {delivery.row.principal(region)}, conditioned only on "
            f"{', '.join(delivery.row.supported_conditions)} (components/platform/kms_policy.py; source: {delivery.row.source})",
            delivery.sender.urn,
        )


ENCRYPTED_DELIVERIES_ADMITTED = stack_policy(
    name="encrypted-deliveries-admitted-by-key",
    description=(
        "Every alarm, budget, anomaly subscription, EventBridge target and log group that delivers into a "
        "customer-managed-key-encrypted destination is admitted by that key's policy, with only condition keys "
        "the sender carries to KMS."
    ),
    severity=Severity.HIGH,
    check=_check,
    remediation="Give each sending service its own key statement with the documented actions (policies/kms_deliveries.py).",
)

POLICIES = [ENCRYPTED_DELIVERIES_ADMITTED]
