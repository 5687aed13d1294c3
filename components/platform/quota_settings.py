"""``betterprompts:quotas``: Service Quotas increase requests the stack makes (optional).

```yaml
betterprompts:quotas:
  requests:
    "ec2/L-DB2E81BA": 44                                   # Running On-Demand G and VT instances (vCPUs)
    "sagemaker/ml.g4dn.xlarge for endpoint usage": 7       # no published code: looked up by name
```

Keys are the ones ``preflight``'s quota stage prints (``<service>/<quota code>``, or
``sagemaker/<ml type> for endpoint usage``); values are the quota value to ask for. Quotas
are per account and region: let one stack per account own a request (two stacks asking for
the same quota would overwrite each other's request).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from policies.instance_sizes import vcpus
from policies.quota_model import CATALOG

from .config import ConfigError, Section

KNOWN_KEYS = {quota.key: quota for quota in CATALOG}
SAGEMAKER_INSTANCE_QUOTA = re.compile(r"^sagemaker/(?P<type>ml\.[a-z0-9]+\.[a-z0-9]+) for endpoint usage$")


@dataclass(frozen=True)
class QuotaRequest:
    key: str
    service: str
    code: str | None
    """None: resolve the code by ``name`` (SageMaker per-type quotas)."""
    name: str
    value: float


@dataclass(frozen=True)
class QuotaSettings:
    requests: tuple[QuotaRequest, ...] = field(default_factory=tuple)

    def to_json(self) -> dict[str, float]:
        """The ``quotaRequests`` stack output the quota stage compares with its peaks."""
        return {r.key: r.value for r in self.requests}

    @staticmethod
    def read(section: Section) -> "QuotaSettings":
        raw: Any = section.raw("requests", {})
        key = section.key("requests")
        if not isinstance(raw, dict):
            raise ConfigError(key, raw, "a mapping of quota keys (ec2/L-DB2E81BA) to values")
        requests = []
        for quota_key, value in sorted(raw.items()):
            item_key = f"{key}.{quota_key}"
            requests.append(_request(item_key, str(quota_key), value))
        section.finish()
        return QuotaSettings(requests=tuple(requests))


def _request(item_key: str, quota_key: str, value: Any) -> QuotaRequest:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 1 or value > 100_000:
        raise ConfigError(item_key, value, "a quota value from 1 to 100000")
    if quota_key in KNOWN_KEYS:
        quota = KNOWN_KEYS[quota_key]
        return QuotaRequest(quota_key, quota.service, quota.code, quota.name, float(value))
    match = SAGEMAKER_INSTANCE_QUOTA.match(quota_key)
    if match:
        try:
            vcpus(match["type"])
        except ValueError:
            match = None
    if not match:
        raise ConfigError(
            item_key,
            value,
            "a quota the quota stage computes: " + ", ".join(sorted(KNOWN_KEYS)) + ", or 'sagemaker/ml.<type> for endpoint usage'",
        )
    return QuotaRequest(quota_key, "sagemaker", None, quota_key.split("/", 1)[1], float(value))
