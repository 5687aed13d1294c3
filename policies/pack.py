"""The pack's policies in one list, shared by the Pulumi policy server (``__main__.py``) and ``preflight``.

Adding a policy is one line here. Nothing in this module starts a server.
"""

from __future__ import annotations

from pulumi_policy import EnforcementLevel, Policy

from . import (
    access_logging,
    api_gateway,
    audit,
    budget,
    buckets,
    cloudfront,
    data_stores,
    deliveries,
    encryption,
    exposure,
    iam,
    lifecycle,
    load_balancers,
    network,
    rds_credentials,
    recovery,
    resource_access,
    serverless,
    services,
    tagging,
    transit,
    waf,
)

PACK_NAME = "betterprompts"
PACK_DESCRIPTION = "BetterPrompts platform guardrails: cost-allocation tags, encryption at rest and in transit, exposure and data safety."
DEFAULT_ENFORCEMENT = EnforcementLevel.ADVISORY
"""For a policy that sets no level of its own; every policy here sets one."""

ALL_POLICIES: list[Policy] = [
    *tagging.POLICIES,
    *encryption.POLICIES,
    *access_logging.POLICIES,
    *transit.POLICIES,
    *load_balancers.POLICIES,
    *waf.POLICIES,
    *cloudfront.POLICIES,
    *exposure.POLICIES,
    *resource_access.POLICIES,
    *buckets.POLICIES,
    *network.POLICIES,
    *data_stores.POLICIES,
    *services.POLICIES,
    *iam.POLICIES,
    *deliveries.POLICIES,
    *audit.POLICIES,
    *rds_credentials.POLICIES,
    *lifecycle.POLICIES,
    *recovery.POLICIES,
    *budget.POLICIES,
    *serverless.POLICIES,
    *api_gateway.POLICIES,
]
