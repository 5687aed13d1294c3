"""Builds the Kubernetes components of one stack under the mock runtime, as the lead will wire them.

Settings come from the real stack files; the cluster's provider is a real
``pulumi_kubernetes.Provider`` over a dummy kubeconfig (nothing contacts a cluster);
the cluster's OIDC provider and the model bucket, which other components will supply,
are stand-in strings shaped like theirs.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any, Callable


import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from components.apps.metrics import MetricsPipeline, MetricsPipelineArgs, QueueDepthSource
from components.apps.workloads import Workloads, WorkloadsArgs
from components.ml.torchserve import EfsModelStore, TorchServe, TorchServeArgs
from components.settings import StackSettings, load_settings
from preflight.harness import Resource, read_stack_config
from preflight.monitor import run_function

ACCOUNT = "123456789012"
OIDC_URL = "oidc.eks.us-east-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF"
OIDC_ARN = f"arn:aws:iam::{ACCOUNT}:oidc-provider/{OIDC_URL}"
MODEL_BUCKET = "betterprompts-models-0a1b2c3"
MODEL_BUCKET_ARN = f"arn:aws:s3:::{MODEL_BUCKET}"
EFS_ID = "fs-0123456789abcdef0"
EFS_ACCESS_POINT_ID = "fsap-0123456789abcdef0"
MODEL_PREFIX = "models/"
STORAGE_KEY_ARN = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/11111111-2222-3333-4444-555555555555"
INTENT_QUEUE = "betterprompts-test-intent-classification"

DUMMY_KUBECONFIG = """\
apiVersion: v1
kind: Config
clusters:
- name: offline
  cluster: {server: "https://127.0.0.1:6443"}
contexts:
- name: offline
  context: {cluster: offline, user: offline}
current-context: offline
users:
- name: offline
  user: {token: offline}
"""


def stack_settings(stack: str) -> StackSettings:
    config, _ = read_stack_config(stack)
    return load_settings(config, project="betterprompts", stack=stack)


@dataclass
class Built:
    settings: StackSettings
    resources: list[Resource]

    def of_type(self, token: str) -> list[Resource]:
        return [r for r in self.resources if r.type == token]

    def named(self, name: str) -> Resource:
        found = [r for r in self.resources if r.name == name]
        assert len(found) == 1, (name, len(found))
        return found[0]

    def release(self, chart: str) -> Resource:
        found = [r for r in self.of_type("kubernetes:helm.sh/v3:Release") if r.inputs["chart"] == chart]
        assert len(found) == 1, (chart, len(found))
        return found[0]

    def hpas(self) -> dict[str, dict[str, Any]]:
        return {
            r.inputs["metadata"]["name"]: r.inputs["spec"]
            for r in self.of_type("kubernetes:autoscaling/v2:HorizontalPodAutoscaler")
        }


def build(settings: StackSettings, *, tweak: Callable[[StackSettings], StackSettings] | None = None) -> Built:
    """Register MetricsPipeline, Workloads and TorchServe for ``settings`` and return the registrations."""
    if tweak:
        settings = tweak(settings)
    workloads = settings.workloads

    def program() -> None:
        provider = k8s.Provider("cluster", kubeconfig=DUMMY_KUBECONFIG)
        # As in __main__.py: AWS resources go through the stack's explicit provider.
        aws_opts = pulumi.ResourceOptions(providers=[aws.Provider("aws", region=settings.region)])
        metrics = MetricsPipeline(
            "betterprompts-test-metrics",
            MetricsPipelineArgs(
                k8s_provider=provider,
                settings=workloads.metrics,
                storage_kms_key_arn=STORAGE_KEY_ARN,
                queue_depth=QueueDepthSource(
                    queue_names=[INTENT_QUEUE], region=settings.region, oidc_provider_arn=OIDC_ARN, oidc_provider_url=OIDC_URL
                ),
                protect=settings.platform.protect_stateful,
            ),
            aws_opts,
        )
        Workloads(
            "betterprompts-test-apps",
            WorkloadsArgs(k8s_provider=provider, settings=workloads, intent_queue_name=INTENT_QUEUE, depends_on=[metrics]),
        )
        TorchServe(
            "betterprompts-test-torchserve",
            TorchServeArgs(
                k8s_provider=provider,
                settings=workloads.prompt_generator,
                region=settings.region,
                oidc_provider_arn=OIDC_ARN,
                oidc_provider_url=OIDC_URL,
                model_bucket_name=MODEL_BUCKET,
                model_bucket_arn=MODEL_BUCKET_ARN,
                model_prefix=MODEL_PREFIX,
                model_kms_key_arn=STORAGE_KEY_ARN,
                client_namespaces=(workloads.namespace,),
                monitoring_namespace=workloads.metrics.namespace,
                scrape_interval=workloads.metrics.scrape_interval,
                scale_up_stabilization_seconds=workloads.scale_up_stabilization_seconds,
                depends_on=[metrics],
                efs_model_store=EfsModelStore(
                    file_system_id=EFS_ID, access_point_id=EFS_ACCESS_POINT_ID, storage_class_name="efs-sc"
                ),
            ),
            aws_opts,
        )

    resources, _ = run_function(program, stack=settings.stack, region=settings.region)
    return Built(settings, resources)


@lru_cache(maxsize=None)
def built(stack: str) -> Built:
    """Each stack's registrations, built once per test session."""
    return build(stack_settings(stack))


__all__ = ["Built", "build", "built", "replace", "stack_settings"]
