"""MetricsPipeline: what the HPAs read (seed "8. Monitoring & Observability", open-source stack).

kube-prometheus-stack (Prometheus on encrypted EBS, no in-cluster Grafana: the seed uses
Managed Grafana), the NVIDIA DCGM exporter on the GPU nodes, the CloudWatch exporter (IRSA) for the
intent classifier's SQS queue depth, prometheus-adapter as the one provider of the custom and
external metrics APIs. metrics-server (the resource metrics API)
is a cluster add-on: ``EksCluster`` owns it. Charts and values: ``metrics_plan``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Optional

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from ..platform import ComponentTags, irsa_trust_policy, release, service_account_role
from ..storage import ebs_csi_tag_parameters
from .metrics_plan import (
    RELEASE_TIMEOUT_SECONDS,
    DCGM_EXPORTER,
    KUBE_PROMETHEUS_STACK,
    PROMETHEUS_ADAPTER,
    PROMETHEUS_SERVICE_ACCOUNT,
    PROMETHEUS_STORAGE_CLASS,
    RemoteWrite,
    dcgm_exporter_values,
    kube_prometheus_stack_values,
    prometheus_adapter_values,
    prometheus_url,
    remote_write_policy,
)
from .queue_metrics_plan import (
    CLOUDWATCH_EXPORTER,
    EXPORTER_RELEASE_TIMEOUT_SECONDS,
    EXPORTER_SERVICE_ACCOUNT,
    exporter_policy,
    exporter_values,
)
from .settings import MetricsSettings


@dataclass
class QueueDepthSource:
    """The SQS queues whose depth the CloudWatch exporter brings into Prometheus, and how it may read it."""

    queue_names: Sequence[str]
    """Physical names of the queues (the intent classifier's work queue)."""
    region: str
    oidc_provider_arn: pulumi.Input[str]
    """The cluster's IAM OIDC provider (``EksCluster.oidc_provider_arn``): the exporter's IRSA trust."""
    oidc_provider_url: pulumi.Input[str]


@dataclass
class ManagedPrometheusTarget:
    """The Amazon Managed Service for Prometheus workspace Prometheus also writes every sample to."""

    workspace_arn: pulumi.Input[str]
    remote_write_url: pulumi.Input[str]
    """``<workspace prometheus endpoint>api/v1/remote_write``."""
    region: str
    oidc_provider_arn: pulumi.Input[str]
    """The cluster's IAM OIDC provider: Prometheus's IRSA trust."""
    oidc_provider_url: pulumi.Input[str]
    additional_series: Sequence[str] = ()
    """Metric names (or name regexes) written besides ``metrics_plan.REMOTE_WRITE_SERIES``."""


@dataclass
class MetricsPipelineArgs:
    """Inputs of :class:`MetricsPipeline`."""

    k8s_provider: k8s.Provider
    """The cluster's provider (``EksCluster.k8s_provider``)."""
    settings: MetricsSettings
    """Namespace, scrape interval, retention, volume size."""
    storage_kms_key_arn: pulumi.Input[str]
    """Customer-managed key for Prometheus's EBS volumes (``baseline.keys["storage"]``)."""
    queue_depth: Optional[QueueDepthSource] = None
    """Queues whose depth an HPA scales on (the CloudWatch exporter runs only when given)."""
    managed_prometheus: Optional[ManagedPrometheusTarget] = None
    """Remote write to this AMP workspace (Managed Grafana's Prometheus data source); None: Prometheus keeps its samples to itself."""
    protect: bool = True
    """Keep Prometheus's volumes when their claims are deleted (reclaim policy Retain)."""
    volume_tags: Mapping[str, str] = field(default_factory=dict)
    """Tags the EBS CSI driver puts on every Prometheus volume (the snapshot policy's target tag)."""
    depends_on: Sequence[pulumi.Resource] = field(default_factory=tuple)
    """What every object waits for: the cluster's nodes, CNI, kube-proxy and CoreDNS, and the EBS
    CSI add-on that creates Prometheus's volume (``EksCluster.workload_dependencies``, ``addons``)."""


class MetricsPipeline(pulumi.ComponentResource):
    """Prometheus, the DCGM exporter and prometheus-adapter."""

    namespace: pulumi.Output[str]
    prometheus_url: str

    def __init__(self, name: str, args: MetricsPipelineArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:
        super().__init__("betterprompts:observability:MetricsPipeline", name, None, opts)
        settings = args.settings
        provider = args.k8s_provider
        # Not ``_provider``: pulumi.Resource has one of its own.
        self._metrics_settings = settings
        self._k8s_provider = provider
        cluster_ready = list(args.depends_on)
        k8s_opts = pulumi.ResourceOptions(parent=self, provider=provider, depends_on=cluster_ready)

        ns = k8s.core.v1.Namespace(
            f"{name}-namespace",
            metadata=k8s.meta.v1.ObjectMetaArgs(
                name=settings.namespace,
                # The node exporter (host network/PID) and the DCGM exporter (SYS_ADMIN for
                # profiling counters) cannot run under the restricted standard.
                labels={"pod-security.kubernetes.io/enforce": "privileged"},
            ),
            opts=k8s_opts,
        )
        storage_class = k8s.storage.v1.StorageClass(
            f"{name}-prometheus-storage",
            metadata=k8s.meta.v1.ObjectMetaArgs(name=PROMETHEUS_STORAGE_CLASS),
            provisioner="ebs.csi.aws.com",
            parameters={
                "type": "gp3",
                "encrypted": "true",
                "kmsKeyId": args.storage_kms_key_arn,
                # The stack's DLM policy snapshots volumes by tag (storage.SnapshotLifecycle).
                **ebs_csi_tag_parameters(dict(args.volume_tags)),
            },
            reclaim_policy="Retain" if args.protect else "Delete",
            volume_binding_mode="WaitForFirstConsumer",
            allow_volume_expansion=True,
            opts=k8s_opts,
        )
        remote_write, write_grant = self._remote_write(name, args.managed_prometheus)
        self.prometheus = release(
            f"{name}-prometheus",
            KUBE_PROMETHEUS_STACK,
            namespace=ns.metadata.name,
            timeout_seconds=RELEASE_TIMEOUT_SECONDS[KUBE_PROMETHEUS_STACK.chart],
            values=kube_prometheus_stack_values(settings, remote_write),
            parent=self,
            provider=provider,
            create_namespace=False,
            # Prometheus's first remote write must find its role's policy attached.
            depends_on=[ns, storage_class, *cluster_ready, *write_grant],
        )
        # Both install a ServiceMonitor / read Prometheus: after the operator's CRDs exist.
        after_prometheus: list[pulumi.Resource] = [ns, self.prometheus, *cluster_ready]
        self.dcgm_exporter = release(
            f"{name}-dcgm-exporter",
            DCGM_EXPORTER,
            namespace=ns.metadata.name,
            timeout_seconds=RELEASE_TIMEOUT_SECONDS[DCGM_EXPORTER.chart],
            values=dcgm_exporter_values(settings.scrape_interval),
            parent=self,
            provider=provider,
            create_namespace=False,
            depends_on=after_prometheus,
        )
        self.adapter = release(
            f"{name}-prometheus-adapter",
            PROMETHEUS_ADAPTER,
            namespace=ns.metadata.name,
            timeout_seconds=RELEASE_TIMEOUT_SECONDS[PROMETHEUS_ADAPTER.chart],
            values=prometheus_adapter_values(settings.namespace),
            parent=self,
            provider=provider,
            create_namespace=False,
            depends_on=after_prometheus,
        )
        if args.queue_depth is not None:
            self._cloudwatch_exporter(name, args.queue_depth, ns, after_prometheus)
        self.namespace = ns.metadata.name
        self.prometheus_url = prometheus_url(settings.namespace)
        self.register_outputs({"namespace": self.namespace, "prometheus_url": self.prometheus_url})

    def _remote_write(
        self, name: str, target: Optional[ManagedPrometheusTarget]
    ) -> tuple[Optional[RemoteWrite], list[pulumi.Resource]]:
        """Prometheus's IRSA role, allowed ``aps:RemoteWrite`` on the one workspace, and where it writes."""
        if target is None:
            return None, []
        namespace = self._metrics_settings.namespace
        role, grant = service_account_role(
            f"{name}-remote-write",
            description="Prometheus pods: remote-write samples to the stack's Amazon Managed Service for Prometheus workspace (IRSA)",
            oidc_provider_arn=target.oidc_provider_arn,
            oidc_provider_url=target.oidc_provider_url,
            namespace=namespace,
            service_account=PROMETHEUS_SERVICE_ACCOUNT,
            policy=pulumi.Output.from_input(target.workspace_arn).apply(remote_write_policy),
            tags=ComponentTags("metrics")(f"{name}-remote-write"),
            parent=self,
        )
        self.remote_write_role = role
        return RemoteWrite(
            url=target.remote_write_url, region=target.region, role_arn=role.arn, additional_series=tuple(target.additional_series)
        ), [grant]

    def _cloudwatch_exporter(
        self, name: str, source: QueueDepthSource, ns: k8s.core.v1.Namespace, ready: list[pulumi.Resource]
    ) -> None:
        """The exporter's IRSA role (CloudWatch metrics, read only) and its release, scraped by Prometheus."""
        settings = self._metrics_settings
        role_name = f"{name}-cw-exporter"
        role = aws.iam.Role(
            role_name,
            description="CloudWatch exporter pods: read the SQS queue-depth metrics the HPAs scale on (IRSA)",
            assume_role_policy=pulumi.Output.all(source.oidc_provider_arn, source.oidc_provider_url).apply(
                lambda v: irsa_trust_policy(v[0], v[1], settings.namespace, EXPORTER_SERVICE_ACCOUNT)
            ),
            tags=ComponentTags("metrics")(role_name),
            opts=pulumi.ResourceOptions(parent=self),
        )
        # The exporter's first CloudWatch call must find the policy attached: the release waits for it.
        read = aws.iam.RolePolicy(
            role_name, role=role.id, policy=exporter_policy(), opts=pulumi.ResourceOptions(parent=role)
        )
        queues = list(source.queue_names)
        self.cloudwatch_exporter = release(
            f"{name}-cloudwatch-exporter",
            CLOUDWATCH_EXPORTER,
            namespace=ns.metadata.name,
            timeout_seconds=EXPORTER_RELEASE_TIMEOUT_SECONDS,
            values=exporter_values(region=source.region, queue_names=queues, role_arn=role.arn),
            parent=self,
            provider=self._k8s_provider,
            create_namespace=False,
            depends_on=[*ready, read],
        )
