"""ServiceQuotaRequests: Service Quotas increase requests for the quotas a stack needs raised.

``aws.servicequotas.ServiceQuota`` submits an increase request when the asked value is above
the account's current one (and does nothing otherwise); AWS may take from minutes to days,
and GPU quotas on new accounts are reviewed by hand. Which quotas and how much: the quota
stage of ``preflight`` (``docs/quotas.md``). SageMaker's per-instance-type quotas have no
published code, so those are looked up by name (``get_service_quota``) at deploy time.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Optional

import pulumi
import pulumi_aws as aws

from .quota_settings import QuotaRequest


@dataclass
class ServiceQuotaRequestsArgs:
    requests: Sequence[QuotaRequest]
    """What to ask for (``betterprompts:quotas.requests``)."""


def request_slug(request: QuotaRequest) -> str:
    """A stable child-name suffix: the code, or the quota name made name-safe."""
    text = request.code or request.name
    return request.service + "-" + re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


class ServiceQuotaRequests(pulumi.ComponentResource):
    """One ``ServiceQuota`` per configured request."""

    def __init__(self, name: str, args: ServiceQuotaRequestsArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:
        slugs = [request_slug(r) for r in args.requests]
        if len(set(slugs)) != len(slugs):
            raise ValueError(f"ServiceQuotaRequests {name}: the same quota is requested twice: {slugs}")
        super().__init__("betterprompts:platform:ServiceQuotaRequests", name, None, opts)
        self.quotas: dict[str, aws.servicequotas.ServiceQuota] = {}
        for request, slug in zip(args.requests, slugs):
            code: pulumi.Input[str]
            if request.code:
                code = request.code
            else:
                code = aws.servicequotas.get_service_quota_output(
                    service_code=request.service,
                    quota_name=request.name,
                    opts=pulumi.InvokeOutputOptions(parent=self),
                ).quota_code
            self.quotas[request.key] = aws.servicequotas.ServiceQuota(
                f"{name}-{slug}",
                service_code=request.service,
                quota_code=code,
                value=request.value,
                opts=pulumi.ResourceOptions(parent=self),
            )
        self.register_outputs({"requested": {r.key: r.value for r in args.requests}})
