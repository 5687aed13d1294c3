"""The contract between the node groups EksCluster creates and the workloads scheduled on them.

Every workload that targets a pool (TorchServe on GPU, batch jobs on spot, training jobs on
the spot GPU training pool) uses these constants, so a taint changed here changes its
tolerations too.
"""

from __future__ import annotations

from dataclasses import dataclass

POOL_LABEL = "betterprompts.io/node-pool"


@dataclass(frozen=True)
class Taint:
    key: str
    value: str
    effect: str = "NoSchedule"

    def toleration(self) -> dict[str, str]:
        """The Kubernetes toleration that admits a pod onto nodes with this taint."""
        return {"key": self.key, "operator": "Equal", "value": self.value, "effect": self.effect}


@dataclass(frozen=True)
class NodePool:
    name: str
    taint: Taint | None
    gpu: bool = False
    """Nodes with NVIDIA GPUs: the NVIDIA AMI, the ML subnets, the device plugin, GPU scale-down protection."""
    spot: bool = False
    """Spot capacity: interruption handling drains these nodes on the two-minute notice."""

    @property
    def labels(self) -> dict[str, str]:
        return {POOL_LABEL: self.name}

    def node_selector(self) -> dict[str, str]:
        return {POOL_LABEL: self.name}

    def tolerations(self) -> list[dict[str, str]]:
        return [self.taint.toleration()] if self.taint else []


SYSTEM = NodePool("system", Taint("CriticalAddonsOnly", "true"))
APPLICATION = NodePool("application", None)
GPU = NodePool("gpu", Taint("nvidia.com/gpu", "true"), gpu=True)
SPOT = NodePool("spot", Taint("betterprompts.io/spot", "true"), spot=True)
# Spot GPU nodes for training jobs (0..N). Its own taint, not nvidia.com/gpu: a pod that only
# tolerates GPUs (TorchServe) never lands here, and a training job never takes an inference node.
TRAINING = NodePool("training", Taint("betterprompts.io/training", "true"), gpu=True, spot=True)

POOLS = {pool.name: pool for pool in (SYSTEM, APPLICATION, GPU, SPOT, TRAINING)}
GPU_POOLS = tuple(pool for pool in POOLS.values() if pool.gpu)
SPOT_POOLS = tuple(pool for pool in POOLS.values() if pool.spot)
