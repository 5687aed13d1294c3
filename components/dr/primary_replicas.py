"""What the pilot light reads of the primary's replicas in its Region (docs/dr.md, "Application layer").

S3 replicates the primary's critical buckets into replicas in the DR Region, under the primary stack's storage key
there (``BucketReplication``, ``CrossRegionReplication``). Both belong to the primary's stack; after a failover the
pilot light's TorchServe copies its archives from the models replica and its Velero restores from Velero's. Their
names come through the state backend (the primary's exports), not from the primary Region's APIs, so they are
readable while that Region is down.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pulumi

from ..ml import ModelStore
from ..storage import BucketPurpose, bucket_arn

REPLICA_BUCKET_NAMES_OUTPUT = "replicaBucketNames"
"""The primary's export: replicated bucket key (``models``, ``velero``) -> its replica's name in the DR Region."""
DR_KEY_ARNS_OUTPUT = "drKeyArns"
"""The primary's export: purpose (``storage``) -> the ARN of its customer key in the DR Region."""
MODEL_PREFIX_OUTPUT = "modelPrefix"
"""The primary's export: the key prefix of the model archives (replication keeps keys unchanged)."""
MODELS = BucketPurpose.MODELS.value


def replica_name(replica_names: Mapping[str, Any], key: str, *, needed_by: str) -> str:
    """The replica of bucket ``key`` among the primary's replicas; a primary that does not replicate it is named."""
    name = replica_names.get(key)
    if not isinstance(name, str) or not name:
        raise ValueError(
            f"the primary stack's {REPLICA_BUCKET_NAMES_OUTPUT} has no {key!r} replica ({sorted(replica_names)}): "
            f"replicate it from the primary (its betterprompts:dr), {needed_by}"
        )
    return name


def storage_key_arn(key_arns: Mapping[str, Any]) -> str:
    """The primary's storage key in the DR Region (the replicas' key)."""
    arn = key_arns.get("storage")
    if not isinstance(arn, str) or not arn:
        raise ValueError(f"the primary stack's {DR_KEY_ARNS_OUTPUT} has no 'storage' key ({sorted(key_arns)}): it replicates no bucket")
    return arn


def primary_replica(reference: pulumi.StackReference, key: str, *, needed_by: str) -> pulumi.Output[str]:
    """The name of the primary's replica of bucket ``key`` in this Region."""
    return reference.require_output(REPLICA_BUCKET_NAMES_OUTPUT).apply(lambda names: replica_name(names, key, needed_by=needed_by))


def primary_replica_key(reference: pulumi.StackReference) -> pulumi.Output[str]:
    """The primary stack's storage key in this Region: its replicas' objects are encrypted with it."""
    return reference.require_output(DR_KEY_ARNS_OUTPUT).apply(storage_key_arn)


def primary_models_replica(reference: pulumi.StackReference) -> ModelStore:
    """TorchServe's model store in the DR Region: the models replica, its key and the archives' prefix, as the
    primary's stack exports them."""
    name = primary_replica(reference, MODELS, needed_by="so the pilot light's TorchServe has models to load")
    return ModelStore(
        bucket_name=name,
        bucket_arn=name.apply(bucket_arn),
        prefix=reference.require_output(MODEL_PREFIX_OUTPUT).apply(str),
        kms_key_arn=primary_replica_key(reference),
    )
