"""The AWS facts the settings check against: the zone list is cfn-lint's (its source), the EC2 shape
table is the Cluster Autoscaler's, and the existence lists come from cfn-lint's per-region data."""

from __future__ import annotations

import json
from pathlib import Path

import cfnlint.helpers

from components.platform import (
    availability_zones,
    ec2_instance_types,
    instance_shape,
    rds_instance_classes,
    sagemaker_hosting_instance_types,
)
from components.settings import SUPPORTED_REGIONS

POLICIES = Path(__file__).resolve().parents[2] / "policies"


def test_the_zone_file_is_the_installed_cfn_lints_list() -> None:
    document = json.loads((POLICIES / "availability_zones.json").read_text())
    assert "cfn-lint" in document["source"]
    assert document["zones"] == {region: cfnlint.helpers.AVAILABILITY_ZONES[region] for region in document["zones"]}
    for region in SUPPORTED_REGIONS:
        assert availability_zones(region)[:3] == (f"{region}a", f"{region}b", f"{region}c")


def test_the_shape_table_is_the_autoscalers() -> None:
    document = json.loads((POLICIES / "ec2_instance_specs.json").read_text())
    assert "cluster-autoscaler-1.35.0" in document["source"]
    g4dn = instance_shape("g4dn.xlarge")
    assert g4dn is not None and (g4dn.vcpus, g4dn.memory_mib, g4dn.gpus, g4dn.architecture) == (4, 16384, 1, "amd64")
    assert instance_shape("ml.g4dn.xlarge") == g4dn
    t4g = instance_shape("t4g.nano")
    assert t4g is not None and t4g.architecture == "arm64"
    assert instance_shape("c6i.huge") is None


def test_every_shaped_type_the_stacks_use_exists_in_every_supported_region() -> None:
    for region in SUPPORTED_REGIONS:
        assert {"t3a.medium", "c6i.xlarge", "c6a.large", "g4dn.xlarge", "t4g.nano", "t3a.large"} <= ec2_instance_types(region)
        assert {"db.r6g.xlarge", "db.t4g.medium"} <= rds_instance_classes(region, "postgres")
        assert "ml.g4dn.xlarge" in sagemaker_hosting_instance_types(region)
        assert "ml.p2.xlarge" not in sagemaker_hosting_instance_types(region)
