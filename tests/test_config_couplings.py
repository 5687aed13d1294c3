"""Where AWS or Kubernetes couples two config values, changing either one fails with a message that
names the key the user changed: the error's key is one of the pair and its text names the other by
its full key. Each case changes the side the error is NOT keyed on (the one a message used to leave
out), in both stacks; defaults derived from other keys never blame a key nobody wrote."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from components.platform import ConfigError
from components.settings import load_settings
from preflight.harness import run_stack
from tests.stack_config import config_of

STACKS = ["production", "staging"]
NS = "betterprompts"


def _set(config: dict[str, Any], path: str, value: Any) -> None:
    section, *keys = path.split(".")
    target = config[f"{NS}:{section}"]
    for key in keys[:-1]:
        target = target.setdefault(key, {})
    target[keys[-1]] = value


def _error(stack: str, changes: dict[str, Any]) -> ConfigError:
    config = config_of(stack)
    for path, value in changes.items():
        _set(config, path, value)
    with pytest.raises(ConfigError) as caught:
        load_settings(config, project=NS, stack=stack)
    return caught.value


# (case, changes, key of the error, the changed key its text must name)
CASES: list[tuple[str, dict[str, Any], str, str]] = [
    ("Kubernetes version bumped past the pinned add-ons", {"eks.kubernetesVersion": "1.34"},
     "eks.addons.kubeProxy", "eks.kubernetesVersion"),
    ("node group minimum raised above desired", {"eks.nodeGroups.application.desired": 2, "eks.nodeGroups.application.size": {"min": 3, "max": 6}},
     "eks.nodeGroups.application.desired", "eks.nodeGroups.application.size"),
    ("CPU request raised above the limit", {"workloads.services.frontend.resources.requests.cpu": "1500m"},
     "workloads.services.frontend.resources.limits.cpu", "workloads.services.frontend.resources.requests.cpu"),
    ("memory request raised above the limit", {"workloads.services.frontend.resources.requests.memory": "1Gi"},
     "workloads.services.frontend.resources.limits.memory", "workloads.services.frontend.resources.requests.memory"),
    ("services moved into the metrics namespace", {"workloads.namespace": "monitoring"},
     "workloads.metrics.namespace", "workloads.namespace"),
    ("database allocation raised to its ceiling", {"database.allocatedStorageGb": 1000, "database.maxAllocatedStorageGb": 1000},
     "database.maxAllocatedStorageGb", "database.allocatedStorageGb"),
    ("database backups moved onto maintenance", {"database.backupWindow": "04:45-05:45"},
     "database.maintenanceWindow", "database.backupWindow"),
    ("Performance Insights retention shortened under advanced mode", {"database.databaseInsightsMode": "advanced", "database.performanceInsightsRetentionDays": 31},
     "database.databaseInsightsMode", "database.performanceInsightsRetentionDays"),
    ("cache snapshots moved onto maintenance", {"cache.snapshotWindow": "06:00-07:00"},
     "cache.maintenanceWindow", "cache.snapshotWindow"),
    ("VPC range moved away from the listed subnets", {"network.vpcCidr": "10.7.0.0/16"},
     "network.subnets.public[0]", "network.vpcCidr"),
    # The site's name is the first of the zone's names checked (site, api, apiOrigin).
    ("hosted zone changed under the site and API names", {"edge.domain.zoneName": "example.org"},
     "edge.domain.site", "edge.domain.zoneName"),
    ("queue retention shortened under its age alarm", {"serverless.intentQueue.messageRetentionSeconds": 300},
     "serverless.intentQueue.alarms.oldestMessageAgeSeconds", "serverless.intentQueue.messageRetentionSeconds"),
    ("function timeout shortened under its duration alarm", {"serverless.functions.imageOptimizer.timeoutSeconds": 20},
     "serverless.functions.imageOptimizer.alarms.durationP95Ms", "serverless.functions.imageOptimizer.timeoutSeconds"),
    ("NAT image switched to x86", {"network.natInstance.amiNamePattern": "fck-nat-al2023-*-x86_64-ebs"},
     "network.natInstance.instanceType", "network.natInstance.amiNamePattern"),
    # Across layers: two components would create one namespace (the deploy fails on the second).
    ("metrics stack moved into Fluent Bit's namespace", {"workloads.metrics.namespace": "logging"},
     "observability.logs.namespace", "workloads.metrics.namespace"),
    ("services moved into the collector's namespace", {"workloads.namespace": "telemetry"},
     "observability.tracing.namespace", "workloads.namespace"),
]


@pytest.mark.parametrize("stack", STACKS)
@pytest.mark.parametrize(("case", "changes", "key", "names"), CASES, ids=[c[0] for c in CASES])
def test_a_coupled_value_names_the_key_that_changed(stack: str, case: str, changes: dict[str, Any], key: str, names: str) -> None:
    if stack == "production" and key.startswith("network.natInstance"):
        changes = {**changes, "network.natMode": "instance"}
    error = _error(stack, changes)
    assert error.key == f"{NS}:{key}"
    assert f"{NS}:{names}" in error.allowed


@pytest.mark.parametrize("stack", STACKS)
def test_overlapping_subnets_name_both_keys(stack: str) -> None:
    base = "10.0" if stack == "production" else "10.1"
    error = _error(stack, {"network.subnets.ml": [f"{base}.21.0/24", f"{base}.32.0/24", f"{base}.33.0/24"]})
    assert (error.key, error.value) == (f"{NS}:network.subnets.ml[0]", f"{base}.21.0/24")
    assert f"{NS}:network.subnets.db[0]" in error.allowed


@pytest.mark.parametrize("stack", STACKS)
def test_a_rolling_batch_names_the_fleet_size_it_depends_on(stack: str) -> None:
    error = _error(stack, {"inference.multiModel.instanceCount": {"min": 1, "max": 1}})
    assert error.key == f"{NS}:inference.multiModel.update.batchInstances"
    assert f"{NS}:inference.multiModel.instanceCount.max" in error.allowed


def test_karpenter_replicas_name_the_system_pool_minimum() -> None:
    config = copy.deepcopy(config_of("staging"))
    eks = config[f"{NS}:eks"]
    eks["autoscaler"] = "karpenter"
    eks.pop("clusterAutoscaler")
    for pool in ("gpu", "spot", "training"):
        eks["nodeGroups"].pop(pool, None)
    eks["controllerReplicas"] = 2
    with pytest.raises(ConfigError) as caught:
        load_settings(config, project=NS, stack="staging")
    assert caught.value.key == f"{NS}:eks.controllerReplicas"
    assert f"{NS}:eks.nodeGroups.system.size.min" in caught.value.allowed


@pytest.mark.parametrize("stack", STACKS)
def test_a_short_queue_retention_lowers_the_default_age_alarm(stack: str) -> None:
    config = config_of(stack)
    queue = config[f"{NS}:serverless"]["intentQueue"]
    queue["messageRetentionSeconds"] = 300
    queue["alarms"].pop("oldestMessageAgeSeconds", None)
    settings = load_settings(config, project=NS, stack=stack)
    assert settings.serverless.intent_queue.alarms.oldest_message_age_seconds == 300


@pytest.mark.parametrize("stack", STACKS)
def test_default_expander_priorities_follow_the_pools_the_stack_has(stack: str) -> None:
    """Without expanderPriorities, leaving out the spot pool is no error about a key nobody wrote."""
    config = config_of(stack)
    eks = config[f"{NS}:eks"]
    eks["nodeGroups"].pop("spot", None)
    eks["clusterAutoscaler"].pop("expanderPriorities")
    config.pop(f"{NS}:runners", None)  # the self-hosted runners need the spot pool (a ConfigError of their own)
    settings = load_settings(config, project=NS, stack=stack)
    assert settings.eks.cluster_autoscaler is not None
    assert settings.eks.cluster_autoscaler.expander_priorities == ("application", "system")


@pytest.mark.parametrize("stack", STACKS)
def test_a_coupling_error_stops_the_program_before_any_resource(stack: str) -> None:
    config = config_of(stack)
    _set(config, "eks.kubernetesVersion", "1.34")
    with pytest.raises(ConfigError) as caught:
        run_stack(stack, config=config)
    assert caught.value.key == f"{NS}:eks.addons.kubeProxy"
    assert caught.value.registered == []  # type: ignore[attr-defined]


@pytest.mark.parametrize("stack", STACKS)
def test_a_namespace_the_runners_own_is_refused_naming_them(stack: str) -> None:
    error = _error(stack, {"observability.logs.namespace": "arc-runners"})
    assert (error.key, error.value) == (f"{NS}:observability.logs.namespace", "arc-runners")
    assert error.allowed.startswith(f"a namespace other than that of {NS}:runners (its runners' namespace) (arc-runners)")


@pytest.mark.parametrize("stack", STACKS)
def test_a_disabled_component_holds_no_namespace(stack: str) -> None:
    config = config_of(stack)
    _set(config, "observability.logs.enabled", False)
    _set(config, "workloads.metrics.namespace", "logging")
    assert load_settings(config, project=NS, stack=stack).workloads.metrics.namespace == "logging"
