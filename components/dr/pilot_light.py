"""``betterprompts:pilotLight``: a stack that is the primary's pilot light in the DR Region (docs/dr.md).

A stack with this section composes only the pilot light (``pilot_light.py``): the platform baseline,
the network, the deploy runner and the cluster definition in the DR Region. ``active`` is the
failover switch: false keeps the cluster's node groups at their standby sizes, true brings them to
the sizes of ``betterprompts:eks.nodeGroups`` (production's) and promotes the database replica.

Pure helpers (no resources): the settings and the node-group sizes of each posture.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from enum import Enum

from ..apps import parameter_path
from ..eks import SYSTEM, NodeGroupSettings
from ..platform import ConfigError, Section
from .entry_settings import EntrySettings
from .replica_settings import ReplicaSettings
from .settings import BackupSettings, read_backup_settings

# <organization>/<project>/<stack>: the fully qualified name a StackReference takes.
_STACK_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*/[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")
STANDBY_SYSTEM_NODES = 1
"""Nodes of the system pool in standby: EKS's CoreDNS add-on (and so every add-on and controller after
it) never becomes ACTIVE without a node to run on, and its create fails after 20 minutes DEGRADED."""


class ClusterPosture(str, Enum):
    """What exists of the cluster while the pilot light is not active."""

    STANDBY = "standby"
    """The control plane, node groups, add-ons and controllers: the system pool at one node, the others at zero."""
    OFF = "off"
    """No cluster: a failover creates it (about 20 minutes longer than from standby)."""


@dataclass(frozen=True)
class PilotLightSettings:
    """The pilot light's identity and posture."""

    primary_stack: str
    """The primary's fully qualified stack name (``<org>/<project>/<stack>``): what this stack stands in for."""
    primary_region: str
    """The primary's Region: the pilot light must be elsewhere (a Region outage takes both otherwise)."""
    active: bool
    """The failover switch: node groups at the configured sizes and the replica promoted."""
    cluster: ClusterPosture
    """What exists of the cluster while not active (``standby`` by default)."""
    replica: ReplicaSettings | None = None
    """The primary database's cross-Region read replica (``replica``); promoted when ``active`` (or when
    ``replica.promoted`` records an earlier promotion: it is one way). None when absent."""
    backup: BackupSettings | None = None
    """This Region's AWS Backup plan (``backup``), selecting the stores tagged as primaries: nothing while
    the replica is a replica (its data is production's, backed up there), the promoted instance after a
    failover. None when absent."""
    entry: EntrySettings | None = None
    """The HTTPS entry's service ports and access logs (``entry``; needs ``betterprompts:edge``). None: no entry."""
    velero_restore: bool = False
    """Velero in the cluster, restoring from the replica of the primary's Velero bucket (``veleroRestore``)."""

    @property
    def cluster_exists(self) -> bool:
        return self.active or self.cluster is ClusterPosture.STANDBY

    @staticmethod
    def read(section: Section, *, region: str, supported_regions: Sequence[str]) -> "PilotLightSettings":
        primary_stack = section.string("primaryStack", example="betterprompts/betterprompts/production")
        if not _STACK_NAME.match(primary_stack):
            raise ConfigError(section.key("primaryStack"), primary_stack, "<organization>/<project>/<stack>, as `pulumi stack ls --all` shows it")
        primary_region = section.string("primaryRegion", choices=[r for r in supported_regions if r != region] or supported_regions)
        if primary_region == region:
            raise ConfigError(section.key("primaryRegion"), primary_region, f"a Region other than the pilot light's own (aws:region {region})")
        active = section.boolean("active")
        cluster = ClusterPosture(section.string("cluster", ClusterPosture.STANDBY.value, choices=[p.value for p in ClusterPosture]))
        replica = None
        if section.has("replica"):
            replica = ReplicaSettings.read(section.child("replica"), region=region, primary_stack=primary_stack)
            # The failover switch promotes it; `promoted` keeps a past promotion when `active` goes back to false.
            replica = replace(replica, promoted=replica.promoted or active)
        backup = None
        if section.has("backup"):
            backup_section = section.child("backup")
            backup = read_backup_settings(backup_section)
            if backup.copy_to_dr_region:
                # Its "DR Region" would be the primary's: a failover's `pulumi up` must not need that Region's API.
                raise ConfigError(
                    backup_section.key("copyToDrRegion"),
                    True,
                    f"false: a pilot light's copies would go to the primary's Region ({primary_region}), whose API a failover must not need",
                )
        entry = EntrySettings.read(section.child("entry")) if section.has("entry") else None
        velero_restore = section.boolean("veleroRestore", False)
        section.finish()
        return PilotLightSettings(
            primary_stack=primary_stack,
            primary_region=primary_region,
            active=active,
            cluster=cluster,
            replica=replica,
            backup=backup,
            entry=entry,
            velero_restore=velero_restore,
        )


def primary_parameter_path(primary_stack: str) -> str:
    """The primary's Parameter Store path (``/<project>/<stack>``, ``parameter_path``) from its fully qualified stack
    name: the pilot light publishes its endpoints under it in its own Region, where the same images look."""
    _, project, stack = primary_stack.split("/")
    return parameter_path(project, stack)


def standby_node_groups(node_groups: Mapping[str, NodeGroupSettings], *, active: bool) -> dict[str, NodeGroupSettings]:
    """The node groups at the posture's sizes: as configured when active; in standby the system pool at
    one node and every other pool at zero (their maximum stays, so the group's shape is the failover's)."""
    if active:
        return dict(node_groups)
    standby: dict[str, NodeGroupSettings] = {}
    for pool, group in node_groups.items():
        nodes = min(STANDBY_SYSTEM_NODES, group.max_size) if pool == SYSTEM.name else 0
        standby[pool] = replace(group, min_size=nodes, desired_size=nodes)
    return standby
