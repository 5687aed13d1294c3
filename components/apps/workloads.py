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
from ..platform import ComponentTags, service_account_role
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


@dataclass(frozen=True)
class ServiceAwsAccess:
    """AWS access for one service's pods: an IAM role their service account assumes (IRSA)."""

    description: str
    """The role's description (what the service does with AWS)."""
    policy: pulumi.Input[str]
    """The role's one inline policy document (least privilege: its own queue, bucket or key)."""


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
    aws_access: Mapping[str, ServiceAwsAccess] = field(default_factory=dict)
    """Service -> the AWS access its pods get through IRSA (the intent-classifier drains its queue).
    Every service has its own service account; only these get a role on it."""
    oidc_provider_arn: Optional[pulumi.Input[str]] = None
    """The cluster's OIDC provider (``EksCluster.oidc_provider_arn``); required with ``aws_access``."""
    oidc_provider_url: Optional[pulumi.Input[str]] = None
    """Its issuer URL (``EksCluster.oidc_provider_url``); required with ``aws_access``."""


class Workloads(pulumi.ComponentResource):
    """The namespace and the three CPU services with their HPAs."""

    namespace: pulumi.Output[str]
    service_urls: dict[str, str]

    def __init__(self, name: str, args: WorkloadsArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:
        _check_args(args)
        super().__init__("betterprompts:apps:Workloads", name, None, opts)
        settings = args.settings
        k8s_opts = pulumi.ResourceOptions(parent=self, provider=args.k8s_provider, depends_on=list(args.depends_on))
        self._tags = ComponentTags("apps")

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
        account = self._service_account(name, service, labels, ns, args)
        opts = pulumi.ResourceOptions(
            parent=self,
            provider=args.k8s_provider,
            depends_on=[ns, *args.depends_on, *([secret] if secret else []), *account],
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
                        # Its own account (not the namespace's default), with no API token mounted: the
                        # services never call the Kubernetes API. IRSA's web identity token is a separate
                        # projected volume that EKS's pod identity webhook adds from the account's annotation.
                        service_account_name=service,
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


    def _service_account(
        self, name: str, service: str, labels: Mapping[str, str], ns: core.Namespace, args: WorkloadsArgs
    ) -> list[pulumi.Resource]:
        """The service's own ServiceAccount (with its IRSA role when it has AWS access): what the pods wait for."""
        access = args.aws_access.get(service)
        annotations: Optional[dict[str, pulumi.Input[str]]] = None
        waits: list[pulumi.Resource] = []
        if access is not None:
            assert args.oidc_provider_arn is not None and args.oidc_provider_url is not None  # _check_args
            role_name = f"{name}-{service}"
            role, inline = service_account_role(
                role_name,
                description=access.description,
                oidc_provider_arn=args.oidc_provider_arn,
                oidc_provider_url=args.oidc_provider_url,
                namespace=args.settings.namespace,
                service_account=service,
                policy=access.policy,
                tags=self._tags(role_name),
                parent=self,
            )
            annotations = {"eks.amazonaws.com/role-arn": role.arn}
            # A pod's first AWS call must find the policy attached.
            waits += [role, inline]
        account = core.ServiceAccount(
            f"{name}-{service}",
            metadata=meta.ObjectMetaArgs(name=service, namespace=ns.metadata.name, labels=dict(labels), annotations=annotations),
            automount_service_account_token=False,
            opts=pulumi.ResourceOptions(parent=self, provider=args.k8s_provider, depends_on=[ns, *args.depends_on]),
        )
        return [account, *waits]


def _check_args(args: WorkloadsArgs) -> None:
    if args.settings.namespace in RESERVED_NAMESPACES:
        raise ValueError(f"the services need their own namespace, not {args.settings.namespace!r}")
    if "intent-classifier" in args.settings.services and not args.intent_queue_name:
        raise ValueError("the intent-classifier's HPA scales on its work queue: set intent_queue_name")
    unknown = sorted(set(args.env) - set(args.settings.services))
    if unknown:
        raise ValueError(f"environment given for services that do not exist: {', '.join(unknown)}")
    unknown = sorted(set(args.aws_access) - set(args.settings.services))
    if unknown:
        raise ValueError(f"AWS access given for services that do not exist: {', '.join(unknown)}")
    if args.aws_access and (args.oidc_provider_arn is None or args.oidc_provider_url is None):
        raise ValueError("AWS access for the services is through IRSA: set oidc_provider_arn and oidc_provider_url")
