"""What the TorchServe component computes: chart values and the model-reader IAM policy."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..apps import TorchServeSettings
from ..eks import node_pools
from ..platform import allow, policy_document

# The chart, relative to the project root (the directory the Pulumi program runs in).
CHART_PATH = "charts/torchserve"
CHART_DIR = Path(__file__).resolve().parents[2] / CHART_PATH

# Release, Deployment, Service and service account all carry this name; the HPA targets it.
RELEASE_NAME = "prompt-generator"
SERVICE_ACCOUNT = "prompt-generator"


def normalize_prefix(prefix: str) -> str:
    """``models`` and ``/models/`` both mean the key prefix ``models/``."""
    prefix = prefix.strip("/")
    return f"{prefix}/" if prefix else ""


def split_image(image: str) -> dict[str, str]:
    """``repo:tag`` or ``repo@sha256:...`` as the chart's ``image`` values."""
    if "@" in image:
        repository, digest = image.split("@", 1)
        return {"repository": repository, "digest": digest}
    repository, tag = image.rsplit(":", 1)
    return {"repository": repository, "tag": tag}


def chart_values(
    settings: TorchServeSettings,
    *,
    region: str,
    role_arn: Any,
    model_bucket: Any,
    model_prefix: Any,
    client_namespaces: tuple[str, ...],
    monitoring_namespace: str,
    scrape_interval: str,
    serve: bool = True,
) -> dict[str, Any]:
    """The release's values. ``role_arn``, ``model_bucket`` and ``model_prefix`` may be Outputs.

    ``serve`` off sizes TorchServe to zero (SageMaker serves production traffic): no HPA owns
    the Deployment, which then runs zero replicas and leaves the GPU pool free to scale to zero.
    """
    pool = node_pools.GPU
    resources = settings.resources.to_k8s()
    model_store: dict[str, Any] = {
        "source": settings.model_store,
        "models": settings.models,
        "workersPerModel": settings.workers_per_model,
    }
    if settings.model_store == "s3":
        model_store["s3"] = {"bucket": model_bucket, "prefix": model_prefix, "region": region}
    else:
        model_store["efs"] = {"claimName": settings.efs_claim_name}
    return {
        "fullnameOverride": RELEASE_NAME,
        "image": split_image(settings.image),
        # Serving: the HPA (components/ml/torchserve.py) owns the replica count. Not serving: zero pods.
        "autoscaling": {"external": serve},
        **({} if serve else {"replicaCount": 0}),
        "ports": {
            "inference": settings.inference_port,
            "management": settings.management_port,
            "metrics": settings.metrics_port,
        },
        "gpus": settings.gpus,
        "resources": resources,
        "nodeSelector": pool.node_selector(),
        "tolerations": pool.tolerations(),
        "serviceAccount": {"create": True, "name": SERVICE_ACCOUNT, "roleArn": role_arn},
        "modelStore": model_store,
        "metrics": {"serviceMonitor": {"enabled": True, "interval": scrape_interval}},
        "networkPolicy": {
            "enabled": True,
            "clientNamespaces": list(client_namespaces),
            "monitoringNamespace": monitoring_namespace,
        },
    }


def model_read_policy(bucket_arn: str, prefix: str, kms_key_arn: str, region: str) -> str:
    """Read the model prefix of the model bucket and decrypt it; nothing else."""
    prefix = normalize_prefix(prefix)
    return policy_document(
        [
            allow(["s3:GetObject"], f"{bucket_arn}/{prefix}*", Sid="ReadModels"),
            allow(
                ["s3:ListBucket"],
                bucket_arn,
                Sid="ListModelPrefix",
                Condition={"StringLike": {"s3:prefix": [prefix, f"{prefix}*"]}},
            ),
            allow(
                ["kms:Decrypt"],
                kms_key_arn,
                Sid="DecryptModels",
                Condition={"StringEquals": {"kms:ViaService": f"s3.{region}.amazonaws.com"}},
            ),
        ]
    )
