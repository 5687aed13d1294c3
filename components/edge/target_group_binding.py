"""The AWS Load Balancer Controller's ``TargetGroupBinding``: pods of a Service registered in a
target group Pulumi created (elbv2.k8s.aws/v1beta1, the CRD the controller's chart installs).

The load balancer, listener and target groups stay in the plan (cost, policies, CloudFront's
origin); the controller only keeps each group's targets equal to the Service's ready pod IPs.
No ``networking`` section: the security-group rules are Pulumi's too (``ApiLoadBalancer``).
"""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_kubernetes as k8s

API_VERSION = "elbv2.k8s.aws/v1beta1"
KIND = "TargetGroupBinding"


def binding_spec(*, service: str, service_port: int | str, target_group_arn: Any) -> dict[str, Any]:
    """The binding's spec: IP targets (the pods themselves, not node ports) of ``service``."""
    return {
        "serviceRef": {"name": service, "port": service_port},
        "targetGroupARN": target_group_arn,
        "targetType": "ip",
    }


def target_group_binding(
    name: str,
    *,
    service: str,
    namespace: pulumi.Input[str],
    service_port: int,
    target_group_arn: pulumi.Input[str],
    opts: pulumi.ResourceOptions,
) -> k8s.apiextensions.CustomResource:
    return k8s.apiextensions.CustomResource(
        f"{name}-binding",
        api_version=API_VERSION,
        kind=KIND,
        metadata=k8s.meta.v1.ObjectMetaArgs(
            name=service,
            namespace=namespace,
            labels={"app.kubernetes.io/name": service, "app.kubernetes.io/part-of": "betterprompts"},
        ),
        spec=binding_spec(service=service, service_port=service_port, target_group_arn=target_group_arn),
        opts=opts,
    )
