"""Tracing as data: the OpenTelemetry collector's pinned chart, its values, the endpoint workloads get,
and its IRSA role's policy (seed "8. Monitoring & Observability": X-Ray, OpenTelemetry).

The upstream opentelemetry-collector chart runs the collector's contrib distribution (it carries the
``awsxray`` exporter and the ``k8sattributes`` processor) as a Deployment: workloads send OTLP to its
Service, it batches and exports to AWS X-Ray with the credentials of its IRSA role.

Sources: the chart at tag opentelemetry-collector-0.170.0 (values.yaml and values.schema.json vendored
under tests/vendor/charts/opentelemetry-collector/0.170.0); the awsxray exporter's README (region,
``PutTraceSegments``; ``PutTelemetryRecords`` for its own telemetry); X-Ray's "Actions, resources, and
condition keys" (PutTraceSegments and PutTelemetryRecords have no resource types: ``*`` is the only
resource they take).
"""

from __future__ import annotations

from typing import Any

from ..eks import node_pools
from ..platform import ChartRef, policy_document

OTEL_CHARTS = "https://open-telemetry.github.io/opentelemetry-helm-charts"
# open-telemetry/opentelemetry-helm-charts tag opentelemetry-collector-0.170.0 (f5178cb, 2026-08-14), the newest
# release of the chart; its appVersion is the collector 0.158.0.
OTEL_COLLECTOR = ChartRef("opentelemetry-collector", OTEL_CHARTS, "0.170.0")
COLLECTOR_IMAGE = "ghcr.io/open-telemetry/opentelemetry-collector-releases/opentelemetry-collector-contrib"
COLLECTOR_VERSION = "0.158.0"
"""The chart's appVersion: the contrib image built with the collector the chart was released for."""
COLLECTOR_COMMAND = "otelcol-contrib"
"""The contrib image's binary (the chart runs ``/<command.name>``)."""

FULLNAME = "otel-collector"
"""``fullnameOverride``: the Deployment, its Service and ConfigMap are named this."""
SERVICE_ACCOUNT = "otel-collector"
OTLP_GRPC_PORT = 4317
OTLP_HTTP_PORT = 4318
RELEASE_TIMEOUT_SECONDS = 600
"""Two replicas on the system nodes that exist already; the image is small: 10 minutes."""

ENDPOINT_ENV = "OTEL_EXPORTER_OTLP_ENDPOINT"
"""The variable every OpenTelemetry SDK reads for where to send (OTLP over gRPC by default)."""

XRAY_WRITE_ACTIONS = ("xray:PutTraceSegments", "xray:PutTelemetryRecords")
"""What the awsxray exporter calls. X-Ray defines no resource type for either action: their only
resource is ``*`` (not a wildcard grant: two named actions, nothing else of X-Ray)."""


def collector_endpoint(namespace: str) -> str:
    """The collector's OTLP/gRPC endpoint inside the cluster: what workloads get as ``OTEL_EXPORTER_OTLP_ENDPOINT``."""
    return f"http://{FULLNAME}.{namespace}.svc:{OTLP_GRPC_PORT}"


def workload_env(namespace: str, service: str, sampling_ratio: float) -> dict[str, str]:
    """The OpenTelemetry SDK environment of one workload (the SDKs' standard variables).

    Where to send (OTLP over gRPC, stated: some SDKs default to HTTP on 4318), the service name traces
    carry, and head sampling: a root trace is recorded with ``sampling_ratio``, a child follows its parent.
    """
    if not 0 <= sampling_ratio <= 1:
        raise ValueError(f"sampling ratio {sampling_ratio} outside 0-1")
    return {
        ENDPOINT_ENV: collector_endpoint(namespace),
        "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc",
        "OTEL_SERVICE_NAME": service,
        "OTEL_TRACES_SAMPLER": "parentbased_traceidratio",
        "OTEL_TRACES_SAMPLER_ARG": f"{sampling_ratio:g}",
    }


def xray_policy() -> str:
    """The collector role's only policy: write trace segments and the exporter's telemetry to X-Ray."""
    return policy_document([{"Sid": "WriteTraces", "Effect": "Allow", "Action": list(XRAY_WRITE_ACTIONS), "Resource": "*"}])


def collector_values(*, region: str, role_arn: Any, replicas: int) -> dict[str, Any]:
    """OTLP in (gRPC and HTTP), batched, enriched with pod metadata, out to X-Ray; nothing else listening."""
    pool = node_pools.SYSTEM
    return {
        "mode": "deployment",
        "fullnameOverride": FULLNAME,
        "replicaCount": replicas,
        "image": {"repository": COLLECTOR_IMAGE, "tag": COLLECTOR_VERSION},
        "command": {"name": COLLECTOR_COMMAND},
        "serviceAccount": {
            "create": True,
            "name": SERVICE_ACCOUNT,
            "annotations": {"eks.amazonaws.com/role-arn": role_arn},
        },
        # Pod name, namespace, deployment on every span (the chart defines the processor and its RBAC).
        "presets": {"kubernetesAttributes": {"enabled": True}},
        # The whole configuration, not merged with the chart's default one (which also listens for Jaeger,
        # Zipkin and Prometheus and prints to a debug exporter): Pulumi drops null values from Helm
        # values, so the defaults cannot be switched off key by key.
        "alternateConfig": {
            "extensions": {"health_check": {"endpoint": "${env:MY_POD_IP}:13133"}},
            "receivers": {
                "otlp": {
                    "protocols": {
                        "grpc": {"endpoint": f"${{env:MY_POD_IP}}:{OTLP_GRPC_PORT}"},
                        "http": {"endpoint": f"${{env:MY_POD_IP}}:{OTLP_HTTP_PORT}"},
                    }
                }
            },
            "processors": {
                "memory_limiter": {"check_interval": "5s", "limit_percentage": 80, "spike_limit_percentage": 25},
                "batch": {},
            },
            "exporters": {"awsxray": {"region": region}},
            "service": {
                "extensions": ["health_check"],
                "pipelines": {
                    # k8s_attributes: the processor the kubernetesAttributes preset defines (pod, namespace,
                    # deployment on every span); the preset adds it to ``config``'s pipelines, not to ours.
                    "traces": {
                        "receivers": ["otlp"],
                        "processors": ["memory_limiter", "k8s_attributes", "batch"],
                        "exporters": ["awsxray"],
                    }
                },
            },
        },
        "ports": {
            "jaeger-compact": {"enabled": False},
            "jaeger-thrift": {"enabled": False},
            "jaeger-grpc": {"enabled": False},
            "zipkin": {"enabled": False},
        },
        "nodeSelector": pool.node_selector(),
        "tolerations": pool.tolerations(),
        # The restricted Pod Security Standard its namespace enforces.
        "podSecurityContext": {"runAsNonRoot": True, "runAsUser": 10001, "seccompProfile": {"type": "RuntimeDefault"}},
        "securityContext": {
            "allowPrivilegeEscalation": False,
            "readOnlyRootFilesystem": True,
            "capabilities": {"drop": ["ALL"]},
        },
        "resources": {"requests": {"cpu": "100m", "memory": "256Mi"}, "limits": {"cpu": "1", "memory": "512Mi"}},
        # One replica may always be evicted (node drains, scale-down); a single replica gets no budget.
        "podDisruptionBudget": {"enabled": True, "minAvailable": 1} if replicas > 1 else {"enabled": False},
    }
