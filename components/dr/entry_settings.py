"""``betterprompts:pilotLight.entry``: the pilot light's HTTPS entry (docs/dr.md, "Pilot light").

The entry is production's load balancer composed in the DR Region (``ApiLoadBalancer``) with the regional
web ACL, for the same origin name and routes (``betterprompts:edge`` of the dr stack). What the edge section
does not say and a primary takes from ``betterprompts:workloads``: the pods' port of each routed service (the
target groups' port; the TargetGroupBindings register the pods on it once the services run here), and the
lifecycle of the entry's own SSE-S3 access-log bucket (ALB log delivery writes only to a bucket in its Region).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..edge import ROUTE_KEYS
from ..platform import ConfigError, Section, suggestion
from ..storage import LifecyclePolicy, read_lifecycle_policy

ACCESS_LOG_DEFAULTS = LifecyclePolicy(infrequent_access_after_days=30, expiration_days=365)


@dataclass(frozen=True)
class EntrySettings:
    service_ports: dict[str, int]
    """Service name (``intent-classifier``) -> the pods' port: production's ``workloads.services.<key>.port``."""
    access_logs: LifecyclePolicy = field(default_factory=lambda: ACCESS_LOG_DEFAULTS)
    """The entry's access-log bucket's lifecycle (the storage layer's keys)."""

    @staticmethod
    def read(section: Section) -> "EntrySettings":
        ports_section = section.child("servicePorts")
        ports: dict[str, int] = {}
        for key in ports_section.names():
            if key not in ROUTE_KEYS:
                raise ConfigError(ports_section.key(key), ports_section.raw(key), "one of " + ", ".join(ROUTE_KEYS) + suggestion(key, ROUTE_KEYS))
            ports[ROUTE_KEYS[key]] = ports_section.integer(key, minimum=1, maximum=65535)
        ports_section.finish()
        access_logs = read_lifecycle_policy(section.child("accessLogs", {}), defaults=ACCESS_LOG_DEFAULTS)
        section.finish()
        return EntrySettings(service_ports=ports, access_logs=access_logs)
