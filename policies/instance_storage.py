"""Which SageMaker instance types have hardware-encrypted local NVMe storage.

CreateEndpointConfig fails if a KmsKeyId is given while any variant uses such a type:
its volumes are encrypted by the instance's hardware module with a per-instance key.
The policy pack must stand alone, so this fact lives here and the components import it.
"""

from __future__ import annotations

LOCAL_STORAGE_FAMILIES = (
    "c5d", "m5d", "r5d", "g4dn", "g5", "g6", "g6e", "p3dn", "p4d", "p4de", "p5", "p5e", "p5en", "inf2", "trn1",
)


def instance_family(instance_type: str) -> str:
    """``ml.g4dn.xlarge`` -> ``g4dn``."""
    parts = instance_type.split(".")
    if len(parts) != 3 or parts[0] != "ml":
        raise ValueError(f"{instance_type!r} is not a SageMaker instance type such as ml.g4dn.xlarge")
    return parts[1]


def has_local_instance_storage(instance_type: str) -> bool:
    """True when the type's volume is hardware-encrypted local NVMe (no KMS key may be given)."""
    return instance_family(instance_type) in LOCAL_STORAGE_FAMILIES
