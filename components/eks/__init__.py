"""Container orchestration (seed section 1): the EKS cluster with its node groups, add-ons
and autoscaler (``EksCluster``), the in-VPC runner that deploys into it (``DeployRunner``),
the node pools' labels and taints that workloads schedule by, the cluster's pure plan, and
the ``eks`` and ``deploy`` config sections.

This module is the package's face: code outside the package imports from here.
"""

from __future__ import annotations

from . import node_pools
from .cluster import EksCluster, EksClusterArgs
from .deploy_runner import DeployRunner, DeployRunnerArgs
from .deploy_settings import GITHUB_REPOSITORY, DeploySettings
from .node_pools import APPLICATION, GPU, POOLS, POOL_LABEL, SPOT, SYSTEM, TRAINING, NodePool, Taint
from .plan import admin_role_arn
from .settings import Autoscaler, EksSettings, NodeGroupSettings

__all__ = [
    "APPLICATION",
    "Autoscaler",
    "EksCluster",
    "EksClusterArgs",
    "DeployRunner",
    "DeployRunnerArgs",
    "DeploySettings",
    "EksSettings",
    "GITHUB_REPOSITORY",
    "GPU",
    "NodeGroupSettings",
    "NodePool",
    "POOLS",
    "POOL_LABEL",
    "SPOT",
    "SYSTEM",
    "TRAINING",
    "Taint",
    "admin_role_arn",
    "node_pools",
]
