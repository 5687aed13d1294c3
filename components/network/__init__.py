"""Networking (seed section 7): the four-tier VPC (``ProductionVpc``), its CIDR and NACL
plan, and the ``network`` config section.

This module is the package's face: code outside the package imports from here.
"""

from __future__ import annotations

from .plan import Tier
from .settings import NatMode, NetworkSettings
from .vpc import ProductionVpc, ProductionVpcArgs

__all__ = [
    "NatMode",
    "NetworkSettings",
    "ProductionVpc",
    "ProductionVpcArgs",
    "Tier",
]
