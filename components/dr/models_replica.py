"""What the pilot light's prompt generator reads of the primary's stack: the models replica (docs/dr.md, "Application layer").

S3 replicates the primary's models bucket into a replica in the DR Region, under the primary stack's storage key
there (``BucketReplication``, ``CrossRegionReplication``). Both belong to the primary's stack; after a failover the
pilot light's TorchServe copies its archives from that replica. Their names come through the state backend (the
primary's exports), not from the primary Region's APIs, so they are readable while that Region is down.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pulumi

from ..ml import ModelStore
from ..storage import BucketPurpose, bucket_arn

REPLICA_BUCKET_NAMES_OUTPUT = "replicaBucketNames"
"""The primary's export: replicated bucket key (``models``) -> its replica's name in the DR Region."""
DR_KEY_ARNS_OUTPUT = "drKeyArns"
"""The primary's export: purpose (``storage``) -> the ARN of its customer key in the DR Region."""
MODEL_PREFIX_OUTPUT = "modelPrefix"
"""The primary's export: the key prefix of the model archives (replication keeps keys unchanged)."""
MODELS = BucketPurpose.MODELS.value


def models_replica_name(replica_names: Mapping[str, Any]) -> str:
    """The models replica's name among the primary's replicas; a primary that does not replicate it is named."""
    name = replica_names.get(MODELS)
    if not isinstance(name, str) or not name:
        raise ValueError(
            f"the primary stack's {REPLICA_BUCKET_NAMES_OUTPUT} has no {MODELS!r} replica ({sorted(replica_names)}): "
            f"add {MODELS} to its betterprompts:dr.buckets.replicate, so the pilot light's TorchServe has models to load"
        )
    return name


def storage_key_arn(key_arns: Mapping[str, Any]) -> str:
    """The primary's storage key in the DR Region (the replicas' key)."""
    arn = key_arns.get("storage")
    if not isinstance(arn, str) or not arn:
        raise ValueError(f"the primary stack's {DR_KEY_ARNS_OUTPUT} has no 'storage' key ({sorted(key_arns)}): it replicates no bucket")
    return arn


def primary_models_replica(reference: pulumi.StackReference) -> ModelStore:
    """TorchServe's model store in the DR Region: the models replica, its key and the archives' prefix, as the
    primary's stack exports them."""
    name = reference.require_output(REPLICA_BUCKET_NAMES_OUTPUT).apply(models_replica_name)
    return ModelStore(
        bucket_name=name,
        bucket_arn=name.apply(bucket_arn),
        prefix=reference.require_output(MODEL_PREFIX_OUTPUT).apply(str),
        kms_key_arn=reference.require_output(DR_KEY_ARNS_OUTPUT).apply(storage_key_arn),
    )
