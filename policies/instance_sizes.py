"""vCPUs and NVIDIA GPUs per EC2 / SageMaker instance type: what quotas and serving math count.

EC2's vCPU quotas count vCPUs, not instances (``g4dn.xlarge`` = 4 vCPUs of "G and VT").
Current-generation families follow one size ladder (``large`` = 2 vCPUs, ``xlarge`` = 4,
``Nxlarge`` = 4N); the burstable and older exceptions are listed. A type this module cannot
size raises ``ValueError`` naming it, so a new family is added here rather than guessed.
Sources: https://aws.amazon.com/ec2/instance-types/ (accelerated computing tables) and
https://docs.aws.amazon.com/sagemaker/latest/dg/multi-model-support.html (ml.* GPU types).
"""

from __future__ import annotations

import re

# Sizes below ``large`` and the few families off the ladder.
_SMALL_SIZES = {"nano": 2, "micro": 2, "small": 2, "medium": 2, "large": 2}
_EXCEPTIONS = {
    "t2.nano": 1, "t2.micro": 1, "t2.small": 1, "t2.medium": 2, "t2.large": 2,
    "t3.nano": 2, "t3a.nano": 2, "t4g.nano": 2, "t4g.micro": 2,
    "c6gn.medium": 1, "c6g.medium": 1, "m6g.medium": 1, "r6g.medium": 1, "c7g.medium": 1, "m7g.medium": 1,
    "r7g.medium": 1, "a1.medium": 1,
    "p2.xlarge": 4, "p3.2xlarge": 8,
}
_SIZE = re.compile(r"^(?P<n>\d*)xlarge$")

# NVIDIA GPUs per instance where it is not one (multi-GPU sizes of the GPU families used here).
_GPUS = {
    "g4dn.12xlarge": 4, "g4dn.metal": 8, "g5.12xlarge": 4, "g5.24xlarge": 4, "g5.48xlarge": 8,
    "g6.12xlarge": 4, "g6.24xlarge": 4, "g6.48xlarge": 8, "p3.8xlarge": 4, "p3.16xlarge": 8,
    "p2.8xlarge": 8, "p2.16xlarge": 16, "p4d.24xlarge": 8, "p5.48xlarge": 8,
}
GPU_FAMILIES = ("g4dn", "g5", "g6", "g6e", "p2", "p3", "p4d", "p5")


def ec2_type(instance_type: str) -> str:
    """``ml.g4dn.xlarge`` -> ``g4dn.xlarge``; EC2 names pass through."""
    return instance_type.removeprefix("ml.")


def family(instance_type: str) -> str:
    """``c6i.xlarge`` -> ``c6i``."""
    name = ec2_type(instance_type)
    if name.count(".") != 1:
        raise ValueError(f"{instance_type!r} is not an instance type such as c6i.xlarge")
    return name.split(".")[0]


def vcpus(instance_type: str) -> int:
    """vCPUs of an EC2 or SageMaker instance type."""
    name = ec2_type(instance_type)
    if name in _EXCEPTIONS:
        return _EXCEPTIONS[name]
    fam = family(name)
    size = name.split(".")[1]
    if size in _SMALL_SIZES and not fam.startswith(("g", "p")):
        return _SMALL_SIZES[size]
    match = _SIZE.match(size)
    if match:
        return 4 * int(match["n"] or 1)
    raise ValueError(f"no vCPU count known for {instance_type!r}: add it to policies/instance_sizes.py")


def gpus(instance_type: str) -> int:
    """NVIDIA GPUs of a GPU instance type (0 for other families)."""
    name = ec2_type(instance_type)
    if family(name) not in GPU_FAMILIES:
        return 0
    return _GPUS.get(name, 1)
