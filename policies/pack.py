"""The pack's policies in one list, shared by the Pulumi policy server (``__main__.py``) and ``preflight``.

Adding a policy is one line here. Nothing in this module starts a server.
"""

from __future__ import annotations

from pulumi_policy import EnforcementLevel, Policy

from . import access_logging, audit, budget, deliveries, encryption, exposure, iam, lifecycle, load_balancers, rds_credentials, recovery, serverless, tagging, transit, waf

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
    *exposure.POLICIES,
    *iam.POLICIES,
    *deliveries.POLICIES,
    *audit.POLICIES,
    *rds_credentials.POLICIES,
    *lifecycle.POLICIES,
    *recovery.POLICIES,
    *budget.POLICIES,
    *serverless.POLICIES,
]
