"""TorchServe: the prompt generator on the EKS GPU node group (seed "3. ML Infrastructure", Option A).

The project's own chart (``charts/torchserve``) as a Helm release in its own namespace,
the IRSA role its pods use to copy models from the model bucket (``modelStore.source:
s3``) or, with ``source: efs``, the claim on the shared file system's model access point
(a static PersistentVolume through the EFS CSI driver), and the prompt generator's HPA (seed: GPU utilization 70%, 1-8 pods) on the DCGM exporter's GPU
utilization as served by prometheus-adapter.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Optional

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from ..apps import Registry, TorchServeSettings, gpu_metrics, hpa_spec, pull_secret, pull_secret_name
from ..platform import ComponentTags, irsa_trust_policy, local_release
from ..storage import EFS_CSI_PROVISIONER, efs_volume_handle
from .torchserve_plan import (
    CHART_PATH,
    RELEASE_NAME,
    SERVICE_ACCOUNT,
    chart_values,
    model_read_policy,
    normalize_prefix,
)

# Pods in the namespace may run only as the restricted Pod Security Standard allows.
RESTRICTED = {
    "pod-security.kubernetes.io/enforce": "restricted",
    "pod-security.kubernetes.io/audit": "restricted",
    "pod-security.kubernetes.io/warn": "restricted",
}


# EFS is elastic: a PersistentVolume's capacity is required by Kubernetes but not enforced.
EFS_NOMINAL_CAPACITY = "100Gi"


@dataclass
class EfsModelStore:
    """The shared file system's model directory (``SharedFileSystem`` outputs)."""

    file_system_id: pulumi.Input[str]
    access_point_id: pulumi.Input[str]
    """The access point rooted at the model directory, acting as TorchServe's user."""
    storage_class_name: pulumi.Input[str]


@dataclass(frozen=True)
class ModelStore:
    """Where TorchServe copies its model archives from (``modelStore.source: s3``) and the key that decrypts them."""

    bucket_name: pulumi.Input[str]
    bucket_arn: pulumi.Input[str]
    prefix: pulumi.Input[str]
    kms_key_arn: pulumi.Input[str]
    efs: EfsModelStore | None = None
    """The shared file system's model directory (``modelStore.source: efs``); None where the stack has none."""


@dataclass
class TorchServeArgs:
    """Inputs of :class:`TorchServe`."""

    k8s_provider: k8s.Provider
    """The cluster's provider (``EksCluster.k8s_provider``)."""
    settings: TorchServeSettings
    """Image, ports, resources, GPUs, replica range, GPU target, model store (``betterprompts:workloads.promptGenerator``)."""
    region: str
    """The stack's region: the init container's S3 endpoint and the key's ``kms:ViaService``."""
    oidc_provider_arn: pulumi.Input[str]
    """The cluster's IAM OIDC provider; the IRSA role trusts only its service account."""
    oidc_provider_url: pulumi.Input[str]
    """The cluster's OIDC issuer without ``https://``."""
    model_bucket_name: pulumi.Input[str]
    model_bucket_arn: pulumi.Input[str]
    model_prefix: pulumi.Input[str]
    """Key prefix of the models in the bucket; the role may read nothing outside it."""
    model_kms_key_arn: pulumi.Input[str]
    """The key the model bucket is encrypted with (``baseline.keys["storage"]``)."""
    client_namespaces: tuple[str, ...] = ()
    """Namespaces whose pods may call the inference port (the application services)."""
    monitoring_namespace: str = "monitoring"
    """Namespace of the Prometheus that scrapes the metrics port."""
    scrape_interval: str = "15s"
    scale_up_stabilization_seconds: int = 0
    serve: bool = True
    """Serve production traffic. False sizes TorchServe to zero pods with no HPA (SageMaker serves);
    the release, role and service stay, so serving again is one config value away."""
    image_registry: Optional[Registry] = None
    """The private registry the image comes from (``WorkloadsSettings.pull_secret_registry``); None: public or ECR."""
    depends_on: Sequence[pulumi.Resource] = field(default_factory=tuple)
    """Resources the release waits for: the metrics pipeline (ServiceMonitor CRD, adapter), the
    cluster's workload dependencies and the NVIDIA device plugin (``nvidia.com/gpu``)."""
    efs_model_store: Optional[EfsModelStore] = None
    """The file system the models are served from when ``modelStore.source`` is ``efs`` (required then)."""


class TorchServe(pulumi.ComponentResource):
    """The TorchServe release, its namespace, IRSA role and HPA."""

    namespace: pulumi.Output[str]
    role_arn: pulumi.Output[str]
    service_name: str
    inference_url: str

    def __init__(self, name: str, args: TorchServeArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:
        _check_args(args)
        super().__init__("betterprompts:ml:TorchServe", name, None, opts)
        settings = args.settings
        tags = ComponentTags("torchserve")
        k8s_opts = pulumi.ResourceOptions(parent=self, provider=args.k8s_provider)

        ns = k8s.core.v1.Namespace(
            f"{name}-namespace",
            metadata=k8s.meta.v1.ObjectMetaArgs(name=settings.namespace, labels=RESTRICTED),
            opts=k8s_opts,
        )

        role_name = f"{name}-model-reader"
        self.role = aws.iam.Role(
            role_name,
            description="TorchServe pods: read the model prefix of the model bucket (IRSA)",
            assume_role_policy=pulumi.Output.all(args.oidc_provider_arn, args.oidc_provider_url).apply(
                lambda v: irsa_trust_policy(v[0], v[1], settings.namespace, SERVICE_ACCOUNT)
            ),
            tags=tags(role_name),
            opts=pulumi.ResourceOptions(parent=self),
        )
        # The pods' first S3 call must find the policy attached: the release waits for it.
        read_models = aws.iam.RolePolicy(
            role_name,
            role=self.role.id,
            policy=pulumi.Output.all(args.model_bucket_arn, args.model_prefix, args.model_kms_key_arn).apply(
                lambda v: model_read_policy(v[0], v[1], v[2], args.region)
            ),
            opts=pulumi.ResourceOptions(parent=self.role),
        )

        # --- efs model store: a static volume on the model access point, and the claim the chart mounts
        store_ready: list[pulumi.Resource] = []
        if settings.model_store == "efs" and args.efs_model_store is not None and settings.efs_claim_name:
            store = args.efs_model_store
            volume = k8s.core.v1.PersistentVolume(
                f"{name}-model-store",
                metadata=k8s.meta.v1.ObjectMetaArgs(name=f"{settings.namespace}-{settings.efs_claim_name}"),
                spec=k8s.core.v1.PersistentVolumeSpecArgs(
                    capacity={"storage": EFS_NOMINAL_CAPACITY},
                    access_modes=["ReadWriteMany"],
                    # The models outlive the claim: deleting it never deletes them.
                    persistent_volume_reclaim_policy="Retain",
                    storage_class_name=store.storage_class_name,
                    csi=k8s.core.v1.CSIPersistentVolumeSourceArgs(
                        driver=EFS_CSI_PROVISIONER,
                        volume_handle=pulumi.Output.all(store.file_system_id, store.access_point_id).apply(
                            lambda v: efs_volume_handle(v[0], v[1])
                        ),
                    ),
                ),
                opts=k8s_opts,
            )
            claim = k8s.core.v1.PersistentVolumeClaim(
                f"{name}-model-store-claim",
                metadata=k8s.meta.v1.ObjectMetaArgs(name=settings.efs_claim_name, namespace=ns.metadata.name),
                spec=k8s.core.v1.PersistentVolumeClaimSpecArgs(
                    access_modes=["ReadWriteMany"],
                    storage_class_name=store.storage_class_name,
                    # Bind to the model volume, not a freshly provisioned empty one.
                    volume_name=volume.metadata.name,
                    resources=k8s.core.v1.VolumeResourceRequirementsArgs(requests={"storage": EFS_NOMINAL_CAPACITY}),
                ),
                opts=k8s_opts,
            )
            store_ready = [claim]

        values = chart_values(
            settings,
            region=args.region,
            role_arn=self.role.arn,
            model_bucket=args.model_bucket_name,
            model_prefix=pulumi.Output.from_input(args.model_prefix).apply(normalize_prefix),
            client_namespaces=args.client_namespaces,
            monitoring_namespace=args.monitoring_namespace,
            scrape_interval=args.scrape_interval,
            serve=args.serve,
        )
        pulls: list[pulumi.Resource] = []
        if args.image_registry is not None:
            pulls.append(
                pull_secret(
                    f"{name}-pull-{args.image_registry.key}",
                    args.image_registry,
                    namespace=ns.metadata.name,
                    parent=self,
                    k8s_provider=args.k8s_provider,
                    depends_on=[ns],
                )
            )
            values["imagePullSecrets"] = [{"name": pull_secret_name(args.image_registry)}]
        self.release = local_release(
            f"{name}-release",
            CHART_PATH,
            release_name=RELEASE_NAME,
            namespace=ns.metadata.name,
            values=values,
            parent=self,
            provider=args.k8s_provider,
            timeout_seconds=settings.release_timeout_seconds,
            depends_on=[ns, read_models, *store_ready, *pulls, *args.depends_on],
        )

        self.hpa: Optional[k8s.autoscaling.v2.HorizontalPodAutoscaler] = None
        if args.serve:
            self.hpa = k8s.autoscaling.v2.HorizontalPodAutoscaler(
                f"{name}-hpa",
                metadata=k8s.meta.v1.ObjectMetaArgs(name=RELEASE_NAME, namespace=ns.metadata.name),
                spec=hpa_spec(
                    RELEASE_NAME,
                    min_replicas=settings.scaling.min_replicas,
                    max_replicas=settings.scaling.max_replicas,
                    metrics=gpu_metrics(settings),
                    scale_up_stabilization_seconds=args.scale_up_stabilization_seconds,
                    scale_down_stabilization_seconds=settings.scaling.scale_down_stabilization_seconds,
                ),
                opts=pulumi.ResourceOptions(parent=self, provider=args.k8s_provider, depends_on=[self.release]),
            )

        self.namespace = ns.metadata.name
        self.role_arn = self.role.arn
        self.service_name = RELEASE_NAME
        self.inference_url = f"http://{RELEASE_NAME}.{settings.namespace}.svc:{settings.inference_port}"
        self.register_outputs(
            {
                "namespace": self.namespace,
                "role_arn": self.role_arn,
                "service_name": self.service_name,
                "inference_url": self.inference_url,
            }
        )


def _check_args(args: TorchServeArgs) -> None:
    if args.settings.model_store == "efs" and args.efs_model_store is None:
        raise ValueError("TorchServe: modelStore.source is efs, so efs_model_store (the shared file system) is required")
    if args.settings.namespace in args.client_namespaces:
        raise ValueError(
            f"TorchServe namespace {args.settings.namespace!r} is listed as a client namespace: "
            "clients run in the application namespace, not next to the model server"
        )
    if args.monitoring_namespace == args.settings.namespace:
        raise ValueError("TorchServe and the metrics stack must run in different namespaces")
