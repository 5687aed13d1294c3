"""Workloads: the application services on EKS and their HPAs (seed "Application Auto-Scaling").

frontend, intent-classifier and technique-selector: a Deployment on the application node
pool, a ClusterIP Service, an ``autoscaling/v2`` HPA on the seed's signals, a
PodDisruptionBudget and a ServiceMonitor (their ``/metrics`` feed the RPS and queue-depth
metrics). The prompt generator (TorchServe) is :class:`~components.ml.torchserve.TorchServe`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Optional

import pulumi
import pulumi_kubernetes as k8s

from ..eks import node_pools
from .settings import RESERVED_NAMESPACES, ServiceSettings, WorkloadsSettings
from .pull_secrets import pull_secret, pull_secret_name
from .workloads_plan import hpa_spec, service_metrics

# The services' contract with the platform: health on /health, Prometheus metrics on /metrics.
HEALTH_PATH = "/health"
METRICS_PATH = "/metrics"
SERVICE_PORT = 80
POOL = node_pools.APPLICATION

apps = k8s.apps.v1
core = k8s.core.v1
meta = k8s.meta.v1


@dataclass
class WorkloadsArgs:
    """Inputs of :class:`Workloads`."""

    k8s_provider: k8s.Provider
    """The cluster's provider (``EksCluster.k8s_provider``)."""
    settings: WorkloadsSettings
    """``betterprompts:workloads``: namespace, and per service image, port, resources, HPA numbers."""
    intent_queue_name: Optional[str] = None
    """The SQS work queue the intent-classifier drains (``serverless.intent_queue_name``): its HPA's
    queue-depth metric selects that queue's series. Required when the intent-classifier runs."""
    depends_on: Sequence[pulumi.Resource] = field(default_factory=tuple)
    """What the objects wait for: the metrics pipeline (ServiceMonitor CRD, metrics APIs)."""
    env: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    """Service -> extra environment of its container (the OpenTelemetry collector's endpoint, sampling)."""


class Workloads(pulumi.ComponentResource):
    """The namespace and the three CPU services with their HPAs."""

    namespace: pulumi.Output[str]
    service_urls: dict[str, str]

    def __init__(self, name: str, args: WorkloadsArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:
        _check_args(args)
        super().__init__("betterprompts:apps:Workloads", name, None, opts)
        settings = args.settings
        k8s_opts = pulumi.ResourceOptions(parent=self, provider=args.k8s_provider, depends_on=list(args.depends_on))

        ns = core.Namespace(
            f"{name}-namespace",
            metadata=meta.ObjectMetaArgs(
                name=settings.namespace,
                labels={"pod-security.kubernetes.io/enforce": "restricted", "pod-security.kubernetes.io/warn": "restricted"},
            ),
            opts=k8s_opts,
        )
        # One pull secret per private registry the services' images come from.
        self._pull_secrets: dict[str, core.Secret] = {}
        for service_settings in settings.services.values():
            registry = settings.pull_secret_registry(service_settings.image)
            if registry is not None and registry.prefix not in self._pull_secrets:
                self._pull_secrets[registry.prefix] = pull_secret(
                    f"{name}-pull-{registry.key}",
                    registry,
                    namespace=ns.metadata.name,
                    parent=self,
                    k8s_provider=args.k8s_provider,
                    depends_on=[ns, *args.depends_on],
                )
        self.service_urls: dict[str, str] = {}
        for service, service_settings in settings.services.items():
            self._service(name, service, service_settings, ns, args)
            self.service_urls[service] = f"http://{service}.{settings.namespace}.svc:{SERVICE_PORT}"

        self.namespace = ns.metadata.name
        self.register_outputs({"namespace": self.namespace, "service_urls": self.service_urls})

    def _service(
        self, name: str, service: str, s: ServiceSettings, ns: core.Namespace, args: WorkloadsArgs
    ) -> None:
        labels = {"app.kubernetes.io/name": service, "app.kubernetes.io/part-of": "betterprompts"}
        metadata = meta.ObjectMetaArgs(name=service, namespace=ns.metadata.name, labels=labels)
        registry = args.settings.pull_secret_registry(s.image)
        secret = self._pull_secrets[registry.prefix] if registry is not None else None
        opts = pulumi.ResourceOptions(
            parent=self, provider=args.k8s_provider, depends_on=[ns, *args.depends_on, *([secret] if secret else [])]
        )
        probe = core.ProbeArgs(http_get=core.HTTPGetActionArgs(path=HEALTH_PATH, port="http"), period_seconds=10)
        deployment = apps.Deployment(
            f"{name}-{service}",
            metadata=metadata,
            spec=apps.DeploymentSpecArgs(
                # No replicas: the HPA owns the count; an update must not reset it.
                selector=meta.LabelSelectorArgs(match_labels=labels),
                strategy=apps.DeploymentStrategyArgs(
                    type="RollingUpdate",
                    rolling_update=apps.RollingUpdateDeploymentArgs(max_surge="25%", max_unavailable=0),
                ),
                template=core.PodTemplateSpecArgs(
                    metadata=meta.ObjectMetaArgs(labels=labels),
                    spec=core.PodSpecArgs(
                        automount_service_account_token=False,
                        image_pull_secrets=[core.LocalObjectReferenceArgs(name=pull_secret_name(registry))] if registry else None,
                        node_selector=POOL.node_selector(),
                        tolerations=[
                            core.TolerationArgs(key=t["key"], operator=t["operator"], value=t["value"], effect=t["effect"])
                            for t in POOL.tolerations()
                        ],
                        # Spread over the AZs: an AZ outage takes at most a third of the pods.
                        topology_spread_constraints=[
                            core.TopologySpreadConstraintArgs(
                                max_skew=1,
                                topology_key="topology.kubernetes.io/zone",
                                when_unsatisfiable="ScheduleAnyway",
                                label_selector=meta.LabelSelectorArgs(match_labels=labels),
                            )
                        ],
                        security_context=core.PodSecurityContextArgs(
                            run_as_non_root=True,
                            run_as_user=10001,
                            run_as_group=10001,
                            seccomp_profile=core.SeccompProfileArgs(type="RuntimeDefault"),
                        ),
                        containers=[
                            core.ContainerArgs(
                                name=service,
                                image=s.image,
                                ports=[core.ContainerPortArgs(name="http", container_port=s.port, protocol="TCP")],
                                resources=core.ResourceRequirementsArgs(
                                    requests=s.resources.to_k8s()["requests"], limits=s.resources.to_k8s()["limits"]
                                ),
                                readiness_probe=probe,
                                liveness_probe=core.ProbeArgs(
                                    http_get=core.HTTPGetActionArgs(path=HEALTH_PATH, port="http"),
                                    period_seconds=20,
                                    failure_threshold=3,
                                    initial_delay_seconds=10,
                                ),
                                security_context=core.SecurityContextArgs(
                                    allow_privilege_escalation=False,
                                    read_only_root_filesystem=True,
                                    capabilities=core.CapabilitiesArgs(drop=["ALL"]),
                                ),
                                volume_mounts=[core.VolumeMountArgs(name="tmp", mount_path="/tmp")],
                                env=[core.EnvVarArgs(name=k, value=v) for k, v in sorted(args.env.get(service, {}).items())] or None,
                            )
                        ],
                        volumes=[core.VolumeArgs(name="tmp", empty_dir=core.EmptyDirVolumeSourceArgs(size_limit="1Gi"))],
                    ),
                ),
            ),
            opts=opts,
        )
        child = pulumi.ResourceOptions(parent=deployment, provider=args.k8s_provider, depends_on=[ns, *args.depends_on])
        core.Service(
            f"{name}-{service}",
            metadata=metadata,
            spec=core.ServiceSpecArgs(
                type="ClusterIP",
                selector=labels,
                ports=[core.ServicePortArgs(name="http", port=SERVICE_PORT, target_port="http", protocol="TCP")],
            ),
            opts=child,
        )
        k8s.autoscaling.v2.HorizontalPodAutoscaler(
            f"{name}-{service}",
            metadata=metadata,
            spec=hpa_spec(
                service,
                min_replicas=s.scaling.min_replicas,
                max_replicas=s.scaling.max_replicas,
                metrics=service_metrics(service, s, intent_queue_name=args.intent_queue_name),
                scale_up_stabilization_seconds=args.settings.scale_up_stabilization_seconds,
                scale_down_stabilization_seconds=s.scaling.scale_down_stabilization_seconds,
            ),
            opts=child,
        )
        k8s.policy.v1.PodDisruptionBudget(
            f"{name}-{service}",
            metadata=metadata,
            spec=k8s.policy.v1.PodDisruptionBudgetSpecArgs(
                max_unavailable=1, selector=meta.LabelSelectorArgs(match_labels=labels)
            ),
            opts=child,
        )
        k8s.apiextensions.CustomResource(
            f"{name}-{service}-monitor",
            api_version="monitoring.coreos.com/v1",
            kind="ServiceMonitor",
            metadata=metadata,
            spec={
                "selector": {"matchLabels": labels},
                "endpoints": [{"port": "http", "path": METRICS_PATH}],
            },
            opts=child,
        )


def _check_args(args: WorkloadsArgs) -> None:
    if args.settings.namespace in RESERVED_NAMESPACES:
        raise ValueError(f"the services need their own namespace, not {args.settings.namespace!r}")
    if "intent-classifier" in args.settings.services and not args.intent_queue_name:
        raise ValueError("the intent-classifier's HPA scales on its work queue: set intent_queue_name")
    unknown = sorted(set(args.env) - set(args.settings.services))
    if unknown:
        raise ValueError(f"environment given for services that do not exist: {', '.join(unknown)}")
