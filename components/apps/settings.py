"""``betterprompts:workloads``: the application services on EKS, TorchServe and the metrics stack.

The seed fixes *which* signal scales each service ("Application Auto-Scaling"): that is
code (``components/apps/workloads_plan.py``). The numbers (images, ports, resources, replica
ranges, utilization targets) are config, so staging can run smaller.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ..platform import MAX_RELEASE_TIMEOUT_SECONDS, MISSING, ConfigError, Section, cpu_millicores, memory_bytes
from .registries import Registry, access, check_image, read_registries

# The HPA controller's default sync period and the worst-case delay before a scale-up is
# decided must stay inside the seed's "Auto-scaling Response: < 2 minutes".
HPA_SYNC_SECONDS = 15
SCALE_UP_BUDGET_SECONDS = 120

_DURATION = re.compile(r"^\d+[smhd]$")
_DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")
_PREFIX = re.compile(r"^[A-Za-z0-9!_.*'()/-]+/$")


@dataclass(frozen=True)
class Resources:
    """Requests and limits of one container, as Kubernetes quantities."""

    cpu_request: str
    memory_request: str
    cpu_limit: str
    memory_limit: str

    def to_k8s(self, extra_limits: dict[str, str] | None = None) -> dict[str, dict[str, str]]:
        limits = {"cpu": self.cpu_limit, "memory": self.memory_limit}
        requests = {"cpu": self.cpu_request, "memory": self.memory_request}
        for name, quantity in (extra_limits or {}).items():
            # Extended resources (nvidia.com/gpu) must have request == limit.
            limits[name] = quantity
            requests[name] = quantity
        return {"requests": requests, "limits": limits}

    @staticmethod
    def read(section: Section) -> "Resources":
        requests = section.child("requests")
        limits = section.child("limits")
        # Examples: a survey's stand-ins for missing values, valid so that it reads on to every key.
        cpu_req, mem_req = requests.raw("cpu", example="100m"), requests.raw("memory", example="128Mi")
        cpu_lim, mem_lim = limits.raw("cpu", example="100m"), limits.raw("memory", example="128Mi")
        requests.finish()
        limits.finish()
        section.finish()
        cpu_surveyed = requests.stand_in("cpu") or limits.stand_in("cpu") or section.stand_in("requests", "limits")
        memory_surveyed = requests.stand_in("memory") or limits.stand_in("memory") or section.stand_in("requests", "limits")
        if cpu_millicores(requests.key("cpu"), cpu_req) > cpu_millicores(limits.key("cpu"), cpu_lim) and not cpu_surveyed:
            raise ConfigError(limits.key("cpu"), cpu_lim, f"at least {requests.key('cpu')} ({cpu_req})")
        if memory_bytes(requests.key("memory"), mem_req) > memory_bytes(limits.key("memory"), mem_lim) and not memory_surveyed:
            raise ConfigError(limits.key("memory"), mem_lim, f"at least {requests.key('memory')} ({mem_req})")
        return Resources(str(cpu_req), str(mem_req), str(cpu_lim), str(mem_lim))


@dataclass(frozen=True)
class Scaling:
    """HPA range and behavior shared by every service."""

    min_replicas: int
    max_replicas: int
    scale_down_stabilization_seconds: int = 300
    """How long the HPA keeps the highest recommendation before scaling down (flap guard)."""


@dataclass(frozen=True)
class ServiceSettings:
    """One of the three CPU services (frontend, intent-classifier, technique-selector)."""

    image: str
    port: int
    resources: Resources
    scaling: Scaling
    cpu_utilization: int
    """Target average CPU utilization (% of the request)."""
    memory_utilization: int | None = None
    """Target average memory utilization (% of the request): frontend only."""
    queue_depth_per_pod: int | None = None
    """Target queue backlog per pod (external metric): intent-classifier only."""
    requests_per_second_per_pod: int | None = None
    """Target requests per second per pod (pods metric): technique-selector only."""


@dataclass(frozen=True)
class TorchServeSettings:
    """The prompt generator: TorchServe on the GPU node group (seed "3. ML Infrastructure", Option A)."""

    namespace: str
    image: str
    inference_port: int
    management_port: int
    metrics_port: int
    resources: Resources
    gpus: int
    scaling: Scaling
    gpu_utilization: int
    """Target average GPU utilization (%) from the DCGM exporter."""
    model_store: str
    """``s3``: an init container copies the models from the model bucket (IRSA); ``efs``: a PVC."""
    efs_claim_name: str | None
    models: str
    """TorchServe ``load_models``: ``all`` or a comma-separated list of ``name=file.mar``."""
    workers_per_model: int
    release_timeout_seconds: int = 1200
    """How long the Helm release waits for TorchServe to become ready (see ``_torchserve``)."""


@dataclass(frozen=True)
class MetricsSettings:
    namespace: str
    scrape_interval: str
    """Prometheus scrape interval; part of the scale-up reaction budget."""
    retention: str
    storage_size: str


@dataclass(frozen=True)
class WorkloadsSettings:
    namespace: str
    frontend: ServiceSettings
    intent_classifier: ServiceSettings
    technique_selector: ServiceSettings
    prompt_generator: TorchServeSettings
    metrics: MetricsSettings
    scale_up_stabilization_seconds: int = 0
    """Window over which scale-up recommendations are smoothed; 0 acts on the first signal."""
    registries: tuple[Registry, ...] = ()
    """Registries the images come from, each public or with a pull secret (ECR needs neither)."""

    def pull_secret_registry(self, image: str) -> Registry | None:
        """The registry whose pull secret ``image`` needs, or None (public or ECR)."""
        found = access(image, self.registries)
        return found if found is not None and found.pull_secret else None

    @property
    def services(self) -> dict[str, ServiceSettings]:
        return {
            "frontend": self.frontend,
            "intent-classifier": self.intent_classifier,
            "technique-selector": self.technique_selector,
        }

    @staticmethod
    def read(section: Section) -> "WorkloadsSettings":
        namespace = _dns_label(section, "namespace", "betterprompts")
        services = section.child("services")
        frontend = _service(services.child("frontend"), extra="memoryUtilization")
        intent = _service(services.child("intentClassifier"), extra="queueDepthPerPod")
        technique = _service(services.child("techniqueSelector"), extra="requestsPerSecondPerPod")
        services.finish()
        torchserve = _torchserve(section.child("promptGenerator"))
        metrics = _metrics(section.child("metrics", {}))
        stabilization = section.integer("scaleUpStabilizationSeconds", 0, minimum=0, maximum=3600)
        registries = read_registries(section.child("registries", {}))
        # Every image must come from somewhere a node can pull it: a pod that cannot pull
        # its image fails only after the release has waited out its timeout.
        images = {
            services.key(f"{key}.image"): svc.image
            for key, svc in (("frontend", frontend), ("intentClassifier", intent), ("techniqueSelector", technique))
        }
        images[section.key("promptGenerator.image")] = torchserve.image
        for key, image in images.items():
            check_image(key, image, registries, section.key("registries"))
        section.finish()
        _check_distinct_namespaces(
            section,
            {"namespace": namespace, "promptGenerator.namespace": torchserve.namespace, "metrics.namespace": metrics.namespace},
        )
        reaction = scale_up_reaction_seconds(metrics.scrape_interval, stabilization)
        if reaction >= SCALE_UP_BUDGET_SECONDS:
            raise ConfigError(
                section.key("scaleUpStabilizationSeconds"),
                stabilization,
                f"a value that keeps scrape interval + source interval + HPA sync + stabilization "
                f"under {SCALE_UP_BUDGET_SECONDS}s (now {reaction}s)",
            )
        return WorkloadsSettings(namespace, frontend, intent, technique, torchserve, metrics, stabilization, registries)


# charts/torchserve's startup probe: periodSeconds 10 x failureThreshold 60 (values.yaml).
TORCHSERVE_STARTUP_SECONDS = 600

# DCGM exporter samples every 30 s by default: the slowest source of any HPA signal.
SLOWEST_SOURCE_SECONDS = 30


def duration_seconds(text: str) -> int:
    factor = {"s": 1, "m": 60, "h": 3600, "d": 86400}[text[-1]]
    return int(text[:-1]) * factor


def scale_up_reaction_seconds(scrape_interval: str, stabilization_seconds: int) -> int:
    """Worst-case seconds from a load change to the HPA's scale-up decision.

    The slowest source sample, one scrape, one HPA sync and the stabilization window.
    """
    return SLOWEST_SOURCE_SECONDS + duration_seconds(scrape_interval) + HPA_SYNC_SECONDS + stabilization_seconds


# Namespaces Kubernetes itself owns: nothing of ours is deployed into them by config.
RESERVED_NAMESPACES = ("default", "kube-system", "kube-public", "kube-node-lease")


def _dns_label(section: Section, name: str, default: Any) -> str:
    value = section.string(name, default)
    if not _DNS_LABEL.match(value):
        raise ConfigError(section.key(name), value, "a DNS label (lower-case letters, digits, '-')")
    if value in RESERVED_NAMESPACES:
        raise ConfigError(section.key(name), value, "a namespace other than " + ", ".join(RESERVED_NAMESPACES))
    return value


# Other layers' namespaces (the observability layer's) are checked the same way.
namespace_setting = _dns_label

# A survey's stand-in registry for a missing image (ECR: every node can pull from it).
_EXAMPLE_REGISTRY = "123456789012.dkr.ecr.us-east-1.amazonaws.com"


def _image(section: Section) -> str:
    image = section.string("image", example=f"{_EXAMPLE_REGISTRY}/app:1.0")
    last = image.rsplit("/", 1)[-1]
    if "@sha256:" not in image and (":" not in last or last.endswith(":latest")):
        raise ConfigError(section.key("image"), image, "an image pinned to a tag other than latest, or a digest")
    return image


def _port(section: Section, name: str, default: Any = None) -> int:
    return section.integer(name, MISSING if default is None else default, minimum=1024, maximum=65535)


def _scaling(section: Section, *, scale_down_default: int) -> Scaling:
    low, high = section.min_max("replicas", minimum=1, maximum=100)
    return Scaling(
        low,
        high,
        section.integer("scaleDownStabilizationSeconds", scale_down_default, minimum=0, maximum=3600),
    )


def _percent(section: Section, name: str) -> int:
    return section.integer(name, minimum=1, maximum=100)


def _service(section: Section, *, extra: str) -> ServiceSettings:
    image = _image(section)
    port = _port(section, "port")
    resources = Resources.read(section.child("resources"))
    scaling = _scaling(section, scale_down_default=300)
    targets = section.child("targets")
    cpu = _percent(targets, "cpuUtilization")
    memory = _percent(targets, extra) if extra == "memoryUtilization" else None
    queue = targets.integer(extra, minimum=1, maximum=100000) if extra == "queueDepthPerPod" else None
    rps = targets.integer(extra, minimum=1, maximum=100000) if extra == "requestsPerSecondPerPod" else None
    targets.finish()
    section.finish()
    return ServiceSettings(image, port, resources, scaling, cpu, memory, queue, rps)


# TorchServe is in limited maintenance upstream (no new releases, no security fixes): its image is
# pinned by digest and comes from the platform's own ECR mirror (or another private registry the
# platform holds credentials for), never anonymously from Docker Hub.
_DIGEST_IMAGE = re.compile(r"^(?P<registry>[a-z0-9.-]+\.[a-z]{2,}(:\d+)?)/[a-z0-9._/-]+@sha256:[0-9a-f]{64}$")
_DOCKER_HUB = ("docker.io", "index.docker.io", "registry-1.docker.io")


def _mirrored_image(section: Section) -> str:
    image = section.string("image", example=f"{_EXAMPLE_REGISTRY}/torchserve@sha256:" + "0" * 64)
    match = _DIGEST_IMAGE.match(image)
    if not match or match["registry"] in _DOCKER_HUB:
        raise ConfigError(
            section.key("image"),
            image,
            "an image pinned by digest from the platform's own ECR mirror "
            "(<account>.dkr.ecr.<region>.amazonaws.com/<repository>@sha256:<digest>; docs/workloads.md, 'TorchServe image') "
            "or another private registry, not Docker Hub",
        )
    return image


def _torchserve(section: Section) -> TorchServeSettings:
    namespace = _dns_label(section, "namespace", "ml-inference")
    image = _mirrored_image(section)
    ports = section.child("ports", {})
    inference = _port(ports, "inference", 8080)
    management = _port(ports, "management", 8081)
    metrics = _port(ports, "metrics", 8082)
    ports.finish()
    if len({inference, management, metrics}) != 3:
        raise ConfigError(ports.path, [inference, management, metrics], "three distinct ports")
    resources = Resources.read(section.child("resources"))
    gpus = section.integer("gpus", 1, minimum=1, maximum=8)
    scaling = _scaling(section, scale_down_default=600)
    targets = section.child("targets")
    gpu_utilization = _percent(targets, "gpuUtilization")
    targets.finish()
    store = section.child("modelStore", {})
    source = store.string("source", "s3", choices=("s3", "efs"))
    claim = store.string("efsClaimName", None) if source == "efs" else None
    if source == "s3" and store.has("efsClaimName"):
        raise ConfigError(store.key("efsClaimName"), store.raw("efsClaimName"), "only with source: efs")
    models = store.string("models", "all")
    store.finish()
    workers = section.integer("workersPerModel", 1, minimum=1, maximum=16)
    # The release waits for a ready pod: a GPU node (from zero where the pool may be empty),
    # the device plugin, the multi-gigabyte image, the model copy and the model load, which the
    # chart's startup probe alone allows TORCHSERVE_STARTUP_SECONDS for.
    timeout = section.integer(
        "releaseTimeoutSeconds", 1200, minimum=TORCHSERVE_STARTUP_SECONDS + 60, maximum=MAX_RELEASE_TIMEOUT_SECONDS
    )
    section.finish()
    return TorchServeSettings(
        namespace, image, inference, management, metrics, resources, gpus, scaling, gpu_utilization,
        source, claim, models, workers, timeout,
    )


def _check_distinct_namespaces(section: Section, namespaces: dict[str, str]) -> None:
    """Three distinct namespaces; a clash names both keys (either may be the one that changed)."""
    seen: dict[str, str] = {}
    for name, value in namespaces.items():
        if value in seen:
            raise ConfigError(
                section.key(name),
                value,
                f"a namespace other than {section.key(seen[value])} ({value}): the services, TorchServe and the "
                "metrics stack each need their own",
            )
        seen[value] = name


def _metrics(section: Section) -> MetricsSettings:
    namespace = _dns_label(section, "namespace", "monitoring")
    scrape = section.string("scrapeInterval", "15s")
    retention = section.string("retention", "15d")
    for name, value in (("scrapeInterval", scrape), ("retention", retention)):
        if not _DURATION.match(value):
            raise ConfigError(section.key(name), value, "a duration such as 15s, 5m or 15d")
    size = section.string("storageSize", "50Gi")
    memory_bytes(section.key("storageSize"), size)
    if section.has("installMetricsServer"):
        # One owner: two releases named metrics-server in kube-system fail the deploy.
        raise ConfigError(
            section.key("installMetricsServer"),
            section.raw("installMetricsServer"),
            "absent: EksCluster (betterprompts:eks) installs metrics-server with the other cluster add-ons",
        )
    settings = MetricsSettings(namespace, scrape, retention, size)
    section.finish()
    return settings


def model_prefix_ok(prefix: str) -> bool:
    """An S3 key prefix ending in ``/`` (the IAM policy scopes reads to it)."""
    return bool(_PREFIX.match(prefix))
