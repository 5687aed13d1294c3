"""TraceCollector: the OpenTelemetry collector in the cluster, exporting traces to AWS X-Ray (seed "8.
Monitoring & Observability": X-Ray distributed tracing, OpenTelemetry).

A namespace under the restricted Pod Security Standard, an IAM role only the collector's service account
can assume (IRSA) allowed exactly X-Ray's two write actions, and the pinned upstream chart running the
contrib collector (values in ``tracing_plan``). Workloads send OTLP to ``collector_endpoint(namespace)``,
which ``__main__`` gives them as ``OTEL_EXPORTER_OTLP_ENDPOINT``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Optional

import pulumi
import pulumi_kubernetes as k8s

from ..platform import ComponentTags, release, service_account_role
from .settings import TracingSettings
from .tracing_plan import (
    OTEL_COLLECTOR,
    RELEASE_TIMEOUT_SECONDS,
    SERVICE_ACCOUNT,
    collector_endpoint,
    collector_values,
    xray_policy,
)


@dataclass
class TraceCollectorArgs:
    """Inputs of :class:`TraceCollector`."""

    settings: TracingSettings
    region: str
    k8s_provider: k8s.Provider
    oidc_provider_arn: pulumi.Input[str]
    oidc_provider_url: pulumi.Input[str]
    """The cluster's OIDC issuer without ``https://`` (``EksCluster.oidc_provider_url``)."""
    depends_on: Sequence[pulumi.Resource] = field(default_factory=tuple)
    """What the release waits for: the cluster's nodes, CNI, kube-proxy and CoreDNS."""


class TraceCollector(pulumi.ComponentResource):
    """The collector, its namespace and its X-Ray role."""

    endpoint: str
    role_arn: pulumi.Output[str]

    def __init__(self, name: str, args: TraceCollectorArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:
        if not args.settings.enabled:
            raise ValueError("TraceCollector: tracing is disabled in its settings")
        super().__init__("betterprompts:observability:TraceCollector", name, None, opts)
        settings = args.settings
        tags = ComponentTags("tracing")
        cluster_ready = list(args.depends_on)

        role_name = f"{name}-xray"
        # The exporter's first PutTraceSegments must find the policy attached: the release waits for it.
        self.role, write_traces = service_account_role(
            role_name,
            description="OpenTelemetry collector: write traces to X-Ray (IRSA)",
            oidc_provider_arn=args.oidc_provider_arn,
            oidc_provider_url=args.oidc_provider_url,
            namespace=settings.namespace,
            service_account=SERVICE_ACCOUNT,
            policy=xray_policy(),
            tags=tags(role_name),
            parent=self,
        )

        k8s_opts = pulumi.ResourceOptions(parent=self, provider=args.k8s_provider, depends_on=cluster_ready)
        namespace = k8s.core.v1.Namespace(
            f"{name}-namespace",
            metadata=k8s.meta.v1.ObjectMetaArgs(
                name=settings.namespace,
                labels={"pod-security.kubernetes.io/enforce": "restricted", "pod-security.kubernetes.io/warn": "restricted"},
            ),
            opts=k8s_opts,
        )
        self.release = release(
            f"{name}-collector",
            OTEL_COLLECTOR,
            namespace=namespace.metadata.name,
            timeout_seconds=RELEASE_TIMEOUT_SECONDS,
            values=collector_values(region=args.region, role_arn=self.role.arn, replicas=settings.replicas),
            release_name="otel-collector",
            parent=self,
            provider=args.k8s_provider,
            create_namespace=False,
            depends_on=[namespace, self.role, write_traces, *cluster_ready],
        )
        self.endpoint = collector_endpoint(settings.namespace)
        self.role_arn = self.role.arn
        self.register_outputs({"endpoint": self.endpoint, "role_arn": self.role_arn})
