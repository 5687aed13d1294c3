"""AWS's published lists of what exists, read from the data cfn-lint ships (no hand-written copies).

cfn-lint carries AWS's per-region lists (ElastiCache node types, engine versions, RDS classes),
refreshed from the AWS APIs with each release; the pin in requirements.txt dates them. Only the
JSON files are read: importing cfn-lint itself takes a second (preflight's spec stage does that
in a worker process of its own).
"""

from __future__ import annotations

import difflib
import importlib.util
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from .config import ConfigError


def _extensions() -> Path:
    spec = importlib.util.find_spec("cfnlint")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("cfn-lint is not installed: pip install -r requirements.txt")
    return Path(next(iter(spec.submodule_search_locations))) / "data" / "schemas" / "extensions"


def _read(relative: str) -> Any:
    return json.loads((_extensions() / relative).read_text())


@lru_cache(maxsize=None)
def elasticache_engine_versions(engine: str) -> tuple[str, ...]:
    """Engine versions ElastiCache offers for ``engine`` (``redis``, ``valkey``, ``memcached``)."""
    for branch in _read("aws_elasticache_cachecluster/engine_version.json")["allOf"]:
        condition = branch.get("if", {}).get("properties", {}).get("Engine", {})
        if condition.get("const") == engine:
            return tuple(branch["then"]["properties"]["EngineVersion"]["enum"])
    return ()


@lru_cache(maxsize=None)
def elasticache_node_types(region: str) -> tuple[str, ...]:
    """Node types ElastiCache offers in ``region``."""
    return tuple((_read("aws_elasticache_cachecluster/cachenodetype_enum.json").get(region) or {}).get("enum", ()))


def dataset_date() -> str:
    """When cfn-lint's copy of the AWS data was taken (its schema date)."""
    version = _extensions().parent / "version.json"
    return str(json.loads(version.read_text()).get("schema_date", "")) if version.exists() else ""


@lru_cache(maxsize=None)
def ec2_instance_types(region: str) -> frozenset[str]:
    """EC2 instance types offered in ``region``."""
    return frozenset((_read("aws_ec2_instance/instancetype_enum.json").get(region) or {}).get("enum", ()))


@lru_cache(maxsize=None)
def rds_instance_classes(region: str, engine: str) -> frozenset[str]:
    """DB instance classes RDS offers for ``engine`` (``postgres``) in ``region``."""
    branches = (_read("aws_rds_dbinstance/dbinstanceclass_enum.json").get(region) or {}).get("allOf", ())
    classes: set[str] = set()
    for branch in branches:
        if branch.get("if", {}).get("properties", {}).get("Engine", {}).get("const") == engine:
            classes.update(branch["then"]["properties"]["DBInstanceClass"]["enum"])
    return frozenset(classes)


@lru_cache(maxsize=None)
def sagemaker_hosting_instance_types(region: str) -> frozenset[str]:
    """Instance types SageMaker hosting (real-time endpoints) offers in ``region``."""
    return frozenset((_read("aws_sagemaker_hosting/instancetype_enum.json").get(region) or {}).get("enum", ()))


@lru_cache(maxsize=None)
def sagemaker_transform_instance_types(region: str) -> frozenset[str]:
    """Instance types SageMaker batch transform jobs offer in ``region``."""
    return frozenset((_read("aws_sagemaker_transform/instancetype_enum.json").get(region) or {}).get("enum", ()))


POLICIES_DIR = Path(__file__).resolve().parents[2] / "policies"


@lru_cache(maxsize=None)
def availability_zones(region: str) -> tuple[str, ...]:
    """The zone names of ``region`` (``policies/availability_zones.json``, from cfn-lint's list)."""
    return tuple(json.loads((POLICIES_DIR / "availability_zones.json").read_text())["zones"].get(region, ()))


@dataclass(frozen=True)
class InstanceShape:
    """What the Cluster Autoscaler assumes a node of an EC2 type has."""

    vcpus: int
    memory_mib: int
    gpus: int
    architecture: str
    """``amd64`` (x86_64) or ``arm64`` (Graviton)."""


@lru_cache(maxsize=None)
def _shapes() -> dict[str, InstanceShape]:
    document = json.loads((POLICIES_DIR / "ec2_instance_specs.json").read_text())
    return {
        name: InstanceShape(row["vcpu"], row["memoryMiB"], row["gpus"], row["architecture"])
        for name, row in document["types"].items()
    }


def instance_shape(instance_type: str) -> InstanceShape | None:
    """The shape of an EC2 type (or its SageMaker ``ml.`` twin); None when the table lacks the type.

    ``policies/ec2_instance_specs.json`` is the Cluster Autoscaler's own table, supplemented with
    Karpenter's generated reference for newer types (sources in the file; preflight/instance_specs.py
    converts them): the vCPUs, memory, GPUs and architecture of each type.
    """
    return _shapes().get(instance_type.removeprefix("ml."))


def known_shape(key: str, instance_type: str, what: str) -> InstanceShape:
    """The shape of ``instance_type``; a ConfigError when no generated table has it.

    Its architecture decides which AMI can boot it: a type without that fact is refused, never
    assumed to match (a name such as ``r9g`` says Graviton only by convention, and a wrong guess
    fails only at launch). ``what`` is what the caller needs (e.g. "an x86_64 instance type").
    """
    shape = instance_shape(instance_type)
    if shape is None:
        raise ConfigError(
            key,
            instance_type,
            f"{what} whose architecture is known: no architecture known for {instance_type} "
            "(policies/ec2_instance_specs.json, from the Cluster Autoscaler's and Karpenter's generated tables, "
            "lacks it; refresh it with python -m preflight.instance_specs)",
        )
    return shape


def check_offered(key: str, value: str, offered: frozenset[str], what: str) -> str:
    """``value`` when ``offered`` has it; else a ConfigError naming the closest offered names."""
    if value in offered:
        return value
    close = difflib.get_close_matches(value, sorted(offered), n=3, cutoff=0.6)
    raise ConfigError(key, value, what + (f" (closest: {', '.join(close)})" if close else ""))


@lru_cache(maxsize=None)
def rds_engine_versions(engine: str) -> tuple[frozenset[str], frozenset[str]]:
    """``(versions RDS knows for engine, those it no longer creates)``, from cfn-lint's data."""

    def versions(relative: str) -> frozenset[str]:
        found: set[str] = set()
        for branch in _read(relative).get("allOf", ()):
            properties = branch.get("if", {}).get("properties", {})
            if properties.get("Engine", {}).get("const") != engine:
                continue
            enum = properties.get("EngineVersion", {}).get("enum") or branch.get("then", {}).get("properties", {}).get(
                "EngineVersion", {}
            ).get("enum", ())
            found.update(str(v) for v in enum)
        return frozenset(found)

    return versions("aws_rds_dbinstance/engine_version.json"), versions("aws_rds_dbinstance/engine_version_deprecated.json")
