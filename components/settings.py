"""Typed, validated stack settings: the program's whole interface to ``Pulumi.<stack>.yaml``.

``load_settings`` parses every ``betterprompts:*`` key once, before any resource
exists. Each section lives in its own module with a frozen dataclass and a ``read``
function; a new concern adds a module and one line to ``_SECTIONS`` below, and
nothing else reshapes. Unknown keys, at any depth, are errors.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from functools import partial
from typing import Any

from policies.aws_names import AUTO_NAME_RANDOM, NAME_RULES
from policies.cost_model import ScheduledFloor

from .apps import DeliverySettings, ImagesSettings, RunnersSettings, WorkloadsSettings
from .compliance import ComplianceSettings
from .cost import CostSettings, ShutdownSettings, node_group_action, peak_fraction, target_events
from .data import CacheSettings, DatabaseSettings
from .dr import DrSettings, PilotLightSettings
from .edge import EdgeSettings
from .eks import POOLS, Autoscaler, DeploySettings, EksSettings
from .ml import InferenceSettings
from .network import NatMode, NetworkSettings
from .observability import ObservabilitySettings
from .platform import (
    ConfigError,
    PlatformSettings,
    QuotaSettings,
    Section,
    check_default_tags,
    check_stack_prefix,
    cpu_millicores,
    read_section,
    instance_shape,
    memory_bytes,
    suggestion,
)
from .serverless import ServerlessSettings, WorkQueueSettings, read_work_queue
from .storage import StorageSettings

__all__ = [
    "Autoscaler",
    "CacheSettings",
    "ComplianceSettings",
    "ConfigError",
    "CostSettings",
    "DatabaseSettings",
    "DeliverySettings",
    "DrSettings",
    "ImagesSettings",
    "DeploySettings",
    "EdgeSettings",
    "EksSettings",
    "InferenceSettings",
    "NatMode",
    "NetworkSettings",
    "ObservabilitySettings",
    "PilotLightSettings",
    "PilotLightStackSettings",
    "PlatformSettings",
    "QuotaSettings",
    "ServerlessSettings",
    "ShutdownSettings",
    "StackSettings",
    "StorageSettings",
    "WorkloadsSettings",
    "is_pilot_light",
    "load_pilot_light_settings",
    "load_settings",
    "read_runtime_config",
    "NAMESPACE",
]

NAMESPACE = "betterprompts"
# EventBridge Scheduler's name limit; Pulumi auto-names with a hyphen and random characters.
SCHEDULE_NAME_LIMIT = NAME_RULES["aws:scheduler/schedule:Schedule"].limit
AUTONAME_SUFFIX = 1 + AUTO_NAME_RANDOM

# AWS regions this project has prices, AMIs and image URIs for (us-west-2 hosts the DR pilot light).
SUPPORTED_REGIONS = ("us-east-1", "us-east-2", "us-west-2")


@dataclass(frozen=True)
class StackSettings:
    """Everything the program reads from stack config, parsed and checked."""

    project: str
    stack: str
    region: str
    platform: PlatformSettings
    network: NetworkSettings
    storage: StorageSettings
    compliance: ComplianceSettings
    eks: EksSettings
    deploy: DeploySettings
    database: DatabaseSettings
    cache: CacheSettings
    inference: InferenceSettings
    workloads: WorkloadsSettings
    images: ImagesSettings | None
    """The application's ECR repositories; None when the section is absent."""
    delivery: DeliverySettings | None
    """The application repository's GitHub deploy role; None when the section is absent."""
    runners: RunnersSettings | None
    """The Actions Runner Controller scale set on the spot pool; None when the section is absent."""
    edge: EdgeSettings
    serverless: ServerlessSettings
    observability: ObservabilitySettings
    dr: DrSettings | None
    """Backups and the DR Region (``betterprompts:dr``); None when the section is absent."""
    cost: CostSettings
    quotas: QuotaSettings


@dataclass(frozen=True)
class PilotLightStackSettings:
    """A pilot-light stack's settings (``betterprompts:pilotLight`` present): only the sections it composes."""

    project: str
    stack: str
    region: str
    pilot_light: PilotLightSettings
    platform: PlatformSettings
    network: NetworkSettings
    eks: EksSettings
    deploy: DeploySettings
    cost: CostSettings
    quotas: QuotaSettings
    edge: EdgeSettings | None = None
    """The HTTPS entry's origin name, routes, listener and web ACL (``pilotLight.entry``); None: no entry."""
    workloads: WorkloadsSettings | None = None
    """The application layer a failover runs here (``betterprompts:workloads``, the primary's services, prompt
    generator and metrics with this Region's images); created only when ``pilotLight.active``. None: none."""
    cache: CacheSettings | None = None
    """The services' Redis (``betterprompts:cache``), created with the application layer (a cache holds nothing a
    failover must keep). Present exactly when ``workloads`` is."""
    intent_queue: WorkQueueSettings | None = None
    """The intent classifier's work queue here (``betterprompts:serverless.intentQueue``; the functions and the API
    stay the primary's). Present exactly when ``workloads`` runs the intent classifier."""


def _serverless(section: Section, edge: EdgeSettings, region: str) -> ServerlessSettings:
    """The API's custom domain lives in the edge layer's zone and may not reuse its names; no zone, no domain."""
    domain = edge.domain
    return ServerlessSettings.read(
        section,
        region=region,
        zone_name=domain.zone_name if domain is not None else None,
        zone_key=f"{NAMESPACE}:edge.domain.zoneName",
        # The edge layer's names: CloudFront's site and API, the load balancer's origin.
        taken_names={}
        if domain is None
        else {
            domain.site_name: f"{NAMESPACE}:edge.domain.site",
            domain.api_name: f"{NAMESPACE}:edge.domain.api",
            domain.api_origin_name: f"{NAMESPACE}:edge.domain.apiOrigin",
        },
    )


# Section name -> reader. Each reader gets its Section and the settings read so far.
_SECTIONS: dict[str, Callable[[Section, dict[str, Any]], Any]] = {
    "platform": lambda s, _: PlatformSettings.read(s),
    "network": lambda s, done: NetworkSettings.read(s, done["region"]),
    "storage": lambda s, done: StorageSettings.read(
        s,
        project=done["project"],
        stack=done["stack"],
        region=done["region"],
        protect_stateful=done["platform"].protect_stateful,
    ),
    "compliance": lambda s, _: ComplianceSettings.read(s),
    "eks": lambda s, done: EksSettings.read(s, done["region"]),
    "deploy": lambda s, _: DeploySettings.read(s),
    "database": lambda s, done: DatabaseSettings.read(s, done["region"]),
    "cache": lambda s, done: CacheSettings.read(s, done["region"]),
    "inference": lambda s, done: InferenceSettings.read(s, done["region"]),
    "workloads": lambda s, _: WorkloadsSettings.read(s),
    "images": lambda s, done: ImagesSettings.read(s, project=done["project"], stack=done["stack"]),
    "delivery": lambda s, done: DeliverySettings.read(s, images_configured=done["images"] is not None),
    "runners": lambda s, done: RunnersSettings.read(s, project=done["project"], stack=done["stack"]),
    "edge": lambda s, _: EdgeSettings.read(s),
    "serverless": lambda s, done: _serverless(s, done["edge"], done["region"]),
    "observability": lambda s, _: ObservabilitySettings.read(s),
    "dr": lambda s, done: DrSettings.read(
        s,
        region=done["region"],
        supported_regions=SUPPORTED_REGIONS,
        # The API's health check must take a route to the load balancer; the checks need the site and API names.
        api_paths=[p for paths in done["edge"].routes.values() for p in paths],
        edge_domain=done["edge"].domain is not None,
    ),
    "cost": lambda s, _: CostSettings.read(s),
    "quotas": lambda s, _: QuotaSettings.read(s),
}


PILOT_LIGHT_KEY = f"{NAMESPACE}:pilotLight"
# What a pilot-light stack composes (pilot_light.py), in reading order: its identity first.
_PILOT_LIGHT_SECTIONS: dict[str, Callable[[Section, dict[str, Any]], Any]] = {
    "pilotLight": lambda s, done: PilotLightSettings.read(s, region=done["region"], supported_regions=SUPPORTED_REGIONS),
    **{name: _SECTIONS[name] for name in ("platform", "network", "eks", "deploy")},
    # The HTTPS entry (pilotLight.entry): the primary's origin name, routes, listener and web ACL settings.
    "edge": lambda s, _: _pilot_light_edge(s),
    # The application layer of a failover (pilot_light.py builds it only when pilotLight.active): the primary's
    # services and their Redis as a primary reads them; of the serverless layer only the intent classifier's queue.
    "workloads": lambda s, done: _SECTIONS["workloads"](s, done) if s.names() else None,
    "cache": lambda s, done: _SECTIONS["cache"](s, done) if s.names() else None,
    "serverless": lambda s, _: _pilot_light_serverless(s),
    **{name: _SECTIONS[name] for name in ("cost", "quotas")},
}


def _pilot_light_edge(section: Section) -> EdgeSettings | None:
    """A pilot light's ``edge``: absent (no entry), or the primary's domain and load balancer keys; CloudFront
    (``cdn``) is the primary's, global, and has no stand-in here."""
    if not section.names():
        return None
    if section.has("cdn"):
        raise ConfigError(section.key("cdn"), section.raw("cdn"), "absent in a pilot light: CloudFront is the primary's (global) distribution")
    if not section.has("domain"):
        raise ConfigError(section.key("domain"), None, "the primary's domain: the entry's certificate is for its apiOrigin name")
    return EdgeSettings.read(section)


def _pilot_light_serverless(section: Section) -> WorkQueueSettings | None:
    """A pilot light's ``serverless``: absent, or only ``intentQueue``, the queue the intent classifier drains. The
    functions, the webhook API and the batch transform are the primary's (their sources and names are in its Region)."""
    if not section.names():
        return None
    for key in section.names():
        if key != "intentQueue":
            raise ConfigError(section.key(key), section.raw(key), "absent in a pilot light: only intentQueue (the intent classifier's work queue) is read")
    return read_work_queue(section.child("intentQueue"))


def is_pilot_light(config: Mapping[str, Any]) -> bool:
    """A stack whose config has ``betterprompts:pilotLight`` is a primary's pilot light (pilot_light.py)."""
    return PILOT_LIGHT_KEY in config


def load_settings(config: Mapping[str, Any], *, project: str, stack: str) -> StackSettings:
    """Parse a primary platform's stack config (full keys such as ``aws:region`` and ``betterprompts:network``).

    Values may be the decoded objects or the JSON strings the Pulumi engine passes.
    Raises :class:`ConfigError` naming the key, the bad value and what is allowed.
    """
    if is_pilot_light(config):
        raise ConfigError(PILOT_LIGHT_KEY, _decode(config[PILOT_LIGHT_KEY]), "absent in a primary platform's stack (a pilot light's settings: load_pilot_light_settings)")
    done = _read_sections(config, _SECTIONS, project=project, stack=stack)
    settings = StackSettings(**done)
    _check_serving(settings)
    _check_gpu_pods_fit(settings)
    _check_business_hours(settings)
    _check_runners(settings)
    _check_image_replication(settings)
    _check_schedule_names(settings)
    _check_namespaces(settings)
    return _with_business_hours_cost(settings)


def load_pilot_light_settings(config: Mapping[str, Any], *, project: str, stack: str) -> PilotLightStackSettings:
    """Parse a pilot-light stack's config: only the sections it composes; any other ``betterprompts`` key
    (a primary's section such as ``edge``) is an error naming the keys a pilot light reads."""
    done = _read_sections(config, _PILOT_LIGHT_SECTIONS, project=project, stack=stack)
    settings = PilotLightStackSettings(pilot_light=done.pop("pilotLight"), intent_queue=done.pop("serverless"), **done)
    cost = settings.cost
    for key, enabled in (("shutdown.enabled", cost.shutdown.enabled), ("businessHours.enabled", cost.business_hours.enabled)):
        if enabled:
            # In standby there is nothing to stop; after a failover the pilot light is production.
            raise ConfigError(f"{NAMESPACE}:cost.{key}", True, "false in a pilot-light stack (it stands in for production)")
    if cost.activate_cost_allocation_tags:
        raise ConfigError(f"{NAMESPACE}:cost.activateCostAllocationTags", True, "false: the primary's stack activates the account's cost-allocation tags")
    entry, edge = settings.pilot_light.entry, settings.edge
    if (entry is None) != (edge is None):
        pilot_raw = _decode(config[PILOT_LIGHT_KEY])
        given, value, missing = (
            (f"{PILOT_LIGHT_KEY}.entry", pilot_raw.get("entry"), f"{NAMESPACE}:edge")
            if edge is None
            else (f"{NAMESPACE}:edge", _decode(config.get(f"{NAMESPACE}:edge")), f"{PILOT_LIGHT_KEY}.entry")
        )
        raise ConfigError(given, value, f"absent without {missing}: the entry needs both (the primary's edge settings and the pods' ports)")
    _check_pilot_light_apps(settings, config)
    if entry is not None and edge is not None:
        unported = sorted(set(edge.routes) - set(entry.service_ports))
        if unported:
            raise ConfigError(
                f"{PILOT_LIGHT_KEY}.entry.servicePorts", _decode(config[PILOT_LIGHT_KEY]).get("entry", {}).get("servicePorts"),
                "a port for every routed service (" + ", ".join(unported) + " missing): production's workloads.services.<key>.port",
            )
    return settings


def _check_pilot_light_apps(settings: PilotLightStackSettings, config: Mapping[str, Any]) -> None:
    """The application layer's sections come together, and fit what the pilot light already has: the entry it
    serves behind (the same ports), the database replica it reads, and a model store this Region holds."""
    workloads, pilot = settings.workloads, settings.pilot_light
    workloads_key = f"{NAMESPACE}:workloads"
    if workloads is None:
        for name, value in (("cache", settings.cache), ("serverless", settings.intent_queue)):
            if value is not None:
                key = f"{NAMESPACE}:{name}"
                raise ConfigError(key, _decode(config.get(key)), f"absent without {workloads_key}: a pilot light reads it for its application layer only")
        return
    required: dict[str, tuple[object, str]] = {
        f"{PILOT_LIGHT_KEY}.entry": (pilot.entry, "the services are reached through the entry's target groups"),
        f"{PILOT_LIGHT_KEY}.replica": (pilot.replica, "the services' database is the promoted replica"),
        f"{NAMESPACE}:cache": (settings.cache, "the services' Redis (the primary's betterprompts:cache)"),
    }
    if "intent-classifier" in workloads.services:
        required[f"{NAMESPACE}:serverless.intentQueue"] = (settings.intent_queue, "the intent classifier drains its work queue and scales on its depth")
    for key, (needed, why) in required.items():
        if needed is None:
            raise ConfigError(key, None, f"present with {workloads_key}: {why}")
    assert pilot.entry is not None
    for service, port in sorted(pilot.entry.service_ports.items()):
        runs = workloads.services.get(service)
        if runs is None or runs.port != port:
            raise ConfigError(
                f"{PILOT_LIGHT_KEY}.entry.servicePorts",
                _decode(config[PILOT_LIGHT_KEY]).get("entry", {}).get("servicePorts"),
                f"the ports of {workloads_key}.services: {service} "
                + ("is not one of its services" if runs is None else f"listens on {runs.port}, not {port}"),
            )
    if workloads.prompt_generator.model_store != "s3":
        raise ConfigError(
            f"{workloads_key}.promptGenerator.modelStore.source",
            workloads.prompt_generator.model_store,
            "s3 in a pilot light: the models replica bucket is in this Region; the EFS replica is the primary stack's, read-only",
        )


def _read_sections(
    config: Mapping[str, Any], sections: Mapping[str, Callable[[Section, dict[str, Any]], Any]], *, project: str, stack: str
) -> dict[str, Any]:
    """The Region, then every section in order (unknown ``betterprompts`` keys first); what was read, by name."""
    region = config.get("aws:region")
    if region not in SUPPORTED_REGIONS:
        raise ConfigError("aws:region", region, "one of " + ", ".join(SUPPORTED_REGIONS))
    known = {f"{NAMESPACE}:{name}" for name in sections}
    for key in sorted(config):
        if key.startswith(f"{NAMESPACE}:") and key not in known:
            raise ConfigError(
                key, _decode(config[key]), "no such key" + suggestion(key, known) + "; known keys: " + ", ".join(sorted(known))
            )
    # Every physical name starts with <project>-<stack>: one that AWS would refuse fails here, not
    # on one resource halfway through a deploy.
    check_stack_prefix(project, stack)
    done: dict[str, Any] = {"project": project, "stack": stack, "region": region}
    for name, read in sections.items():
        key = f"{NAMESPACE}:{name}"
        # Unknown keys of a mapping are reported before its missing ones (read_section).
        done[name] = read_section(partial(_read_with, read, done), _decode(config.get(key)), key)
        if name == "platform":
            _check_tags(done[name], project, stack)
    return done


def _check_namespaces(settings: StackSettings) -> None:
    """Every Kubernetes namespace the stack creates has one owner: two Namespace objects of one name pass
    preview and fail the deploy (the second "already exists"). A clash names both keys in full."""
    workloads, observability = f"{NAMESPACE}:workloads", f"{NAMESPACE}:observability"
    owners: dict[str, str] = {
        f"{workloads}.namespace": settings.workloads.namespace,
        f"{workloads}.promptGenerator.namespace": settings.workloads.prompt_generator.namespace,
        f"{workloads}.metrics.namespace": settings.workloads.metrics.namespace,
    }
    if settings.observability.tracing.enabled:
        owners[f"{observability}.tracing.namespace"] = settings.observability.tracing.namespace
    if settings.observability.logs.enabled:
        owners[f"{observability}.logs.namespace"] = settings.observability.logs.namespace
    if settings.runners is not None:
        # Fixed names (Actions Runner Controller's): a configurable namespace may not take them.
        owners[f"{NAMESPACE}:runners (its runners' namespace)"] = settings.runners.namespace
        owners[f"{NAMESPACE}:runners (its controller's namespace)"] = settings.runners.controller_namespace
    seen: dict[str, str] = {}
    for key, namespace in owners.items():
        other = seen.get(namespace)
        if other is not None:
            # Blame a key the user can change (the runners' namespaces are fixed), naming the other in full.
            blamed, named = (other, key) if key.startswith(f"{NAMESPACE}:runners") else (key, other)
            raise ConfigError(
                blamed,
                namespace,
                f"a namespace other than that of {named} ({namespace}): each component creates its own, "
                "and a second namespace of one name fails the deploy",
            )
        seen[namespace] = key


def _read_with(read: Callable[[Section, dict[str, Any]], Any], done: dict[str, Any], section: Section) -> Any:
    return read(section, done)


def _check_tags(platform: PlatformSettings, project: str, stack: str) -> None:
    """The provider's default tags (on every taggable resource) within AWS's tag limits."""
    section = f"{NAMESPACE}:platform"
    tags = platform.default_tags(project, stack)
    sources = {key: f"{section}.extraTags.{key}" for key in platform.extra_tags}
    sources.update(
        Project="project name (Pulumi.yaml)",
        Environment="stack name",
        Service=f"{section}.service",
        CostCenter=f"{section}.costCenter",
        Owner=f"{section}.owner",
        ManagedBy="ManagedBy",
    )
    check_default_tags(tags, sources, f"{section}.extraTags")


def _check_business_hours(settings: StackSettings) -> None:
    """Each business-hours floor raises a target this stack has, above its minimum and within its maximum."""
    hours = settings.cost.business_hours
    if not hours.enabled:
        return
    key = f"{NAMESPACE}:cost.businessHours.floors"

    def check(where: str, floor: int, low: int, high: int) -> None:
        if not low < floor <= high:
            raise ConfigError(where, floor, f"above the minimum ({low}) and at most the maximum ({high}) it raises")

    for pool, floor in hours.floors.node_groups.items():
        group = settings.eks.node_groups.get(pool)
        if group is None:
            raise ConfigError(f"{key}.nodeGroups.{pool}", floor, "a node group of betterprompts:eks.nodeGroups: " + ", ".join(settings.eks.node_groups))
        check(f"{key}.nodeGroups.{pool}", floor, group.min_size, group.max_size)
    workloads = settings.workloads
    scaling = {name: service.scaling for name, service in workloads.services.items()}
    if settings.inference.serving.torchserve:
        scaling["prompt-generator"] = workloads.prompt_generator.scaling
    for service, floor in hours.floors.services.items():
        where = f"{key}.services.{_camel(service)}"
        if service not in scaling:
            raise ConfigError(where, floor, "a service with an HPA (the prompt generator has one only while TorchServe serves)")
        check(where, floor, scaling[service].min_replicas, scaling[service].max_replicas)
    if hours.floors.sagemaker_instances is not None:
        where = f"{key}.sagemakerInstances"
        inference = settings.inference
        if inference.mode.value != "multi_model_gpu" or not inference.serving.sagemaker:
            raise ConfigError(where, hours.floors.sagemaker_instances, "only for a serving multi_model_gpu endpoint (a serverless endpoint has no instances)")
        check(where, hours.floors.sagemaker_instances, inference.multi_model.min_instances, inference.multi_model.max_instances)


def _camel(name: str) -> str:
    head, *rest = name.split("-")
    return head + "".join(part.title() for part in rest)


def _check_runners(settings: StackSettings) -> None:
    """The runner pods go to the spot pool: it must exist (a node group, or Karpenter's spot NodePool)."""
    if settings.runners is None or settings.eks.autoscaler is Autoscaler.KARPENTER:
        return
    if "spot" not in settings.eks.node_groups:
        raise ConfigError(f"{NAMESPACE}:runners", settings.runners.github_config_url, f"a spot pool in {NAMESPACE}:eks.nodeGroups (the runners run there)")


def _check_image_replication(settings: StackSettings) -> None:
    """Replicating images needs this stack's repositories (``betterprompts:images``) to replicate."""
    dr = settings.dr
    if dr is not None and dr.images.replicate and settings.images is None:
        raise ConfigError(f"{NAMESPACE}:dr.images.replicate", True, f"false unless the stack has repositories ({NAMESPACE}:images)")


def _check_schedule_names(settings: StackSettings) -> None:
    """Each node-group event is a Scheduler schedule ``<project>-<stack>-cost-nodes-<pool>-<event>`` plus
    Pulumi's suffix; several times for one event lengthen it (``raise-07``, ``stop-1230``)."""
    cost = settings.cost
    if not (cost.shutdown.enabled or cost.business_hours.enabled):
        return
    hours = cost.business_hours
    levels = hours.levels(cost.shutdown.crons)
    for pool, group in settings.eks.node_groups.items():
        floor = hours.floors.node_groups.get(pool) if hours.enabled else None
        for event in target_events(levels, node_group_action(base_min=group.min_size, floor=floor)):
            name = f"{settings.project}-{settings.stack}-cost-nodes-{pool}-{event}"
            if len(name) + AUTONAME_SUFFIX > SCHEDULE_NAME_LIMIT:
                key = "businessHours.windows" if hours.enabled else "shutdown.stopSchedule"
                raise ConfigError(
                    f"{NAMESPACE}:cost.{key}",
                    name,
                    f"schedule names of at most {SCHEDULE_NAME_LIMIT} characters with Pulumi's suffix: fewer distinct start and end times",
                )


def _with_business_hours_cost(settings: StackSettings) -> StackSettings:
    """The estimate's assumptions with business hours' raised floors (instances the plan cannot show)."""
    hours = settings.cost.business_hours
    if not hours.enabled:
        return settings
    fraction = peak_fraction(hours.levels(settings.cost.shutdown.crons))
    floors: list[ScheduledFloor] = []
    for pool, floor in sorted(hours.floors.node_groups.items()):
        group = settings.eks.node_groups[pool]
        floors.append(
            ScheduledFloor(
                f"node group {pool}", f"ec2:{group.instance_types[0]}", floor - group.min_size, fraction, spot=POOLS[pool].spot
            )
        )
    if hours.floors.sagemaker_instances is not None:
        mm = settings.inference.multi_model
        floors.append(
            ScheduledFloor("SageMaker variant", f"sagemaker:{mm.instance_type}", hours.floors.sagemaker_instances - mm.min_instances, fraction)
        )
    cost = replace(settings.cost, assumptions=replace(settings.cost.assumptions, scheduled_floors=tuple(floors)))
    return replace(settings, cost=cost)


def _check_serving(settings: StackSettings) -> None:
    """The serving path and the GPU pool agree: the path not serving really is sized to zero."""
    serving = settings.inference.serving
    gpu = settings.eks.node_groups.get("gpu")
    if not serving.torchserve and gpu is not None and gpu.min_size > 0:
        raise ConfigError(
            f"{NAMESPACE}:eks.nodeGroups.gpu.size.min",
            gpu.min_size,
            f"0 while {NAMESPACE}:inference.serving is {serving.value}: TorchServe runs no pods and nothing else "
            "needs a GPU node, so the pool scales up only when something asks for a GPU",
        )
    if serving.torchserve and gpu is None and settings.eks.autoscaler is Autoscaler.CLUSTER_AUTOSCALER:
        raise ConfigError(
            f"{NAMESPACE}:inference.serving",
            serving.value,
            f"sagemaker while {NAMESPACE}:eks.nodeGroups has no gpu pool (TorchServe runs on it)",
        )


def _check_gpu_pods_fit(settings: StackSettings) -> None:
    """A TorchServe pod fits on a node of every type its pool may launch (else it stays Pending forever)."""
    pod = settings.workloads.prompt_generator
    gpu = settings.eks.node_groups.get("gpu")
    if gpu is not None:
        types, where = gpu.instance_types, f"{NAMESPACE}:eks.nodeGroups.gpu.instanceTypes"
    elif settings.eks.karpenter is not None:
        types, where = settings.eks.karpenter.gpu_instance_types, f"{NAMESPACE}:eks.karpenter.gpuInstanceTypes"
    else:
        return
    key = f"{NAMESPACE}:workloads.promptGenerator"
    cpu = cpu_millicores(f"{key}.resources.requests.cpu", pod.resources.cpu_request)
    memory = memory_bytes(f"{key}.resources.requests.memory", pod.resources.memory_request)
    for instance_type in types:
        shape = instance_shape(instance_type)
        if shape is None:
            continue  # a type the autoscaler's table does not know yet: nothing to compare with
        if pod.gpus > shape.gpus:
            raise ConfigError(f"{key}.gpus", pod.gpus, f"at most {shape.gpus}: the GPUs of {instance_type} ({where})")
        if cpu > shape.vcpus * 1000:
            raise ConfigError(
                f"{key}.resources.requests.cpu", pod.resources.cpu_request, f"less than the {shape.vcpus} vCPUs of {instance_type} ({where})"
            )
        if memory > shape.memory_mib * 2**20:
            raise ConfigError(
                f"{key}.resources.requests.memory",
                pod.resources.memory_request,
                f"less than the {shape.memory_mib} MiB of {instance_type} ({where})",
            )


def _decode(value: Any) -> Any:
    """The engine hands structured config over as JSON text; accept both forms."""
    if isinstance(value, str) and value[:1] in ("{", "["):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def read_runtime_config() -> dict[str, Any]:
    """Every config key the running Pulumi program was given, by full key.

    The language host hands config over either through ``PULUMI_CONFIG`` or by
    setting it in the runtime (as the mock runtime does); both are read.
    """
    from pulumi.runtime import config as runtime_config

    merged: dict[str, Any] = dict(runtime_config.get_config_env())
    merged.update(runtime_config.CONFIG.get())
    return merged
