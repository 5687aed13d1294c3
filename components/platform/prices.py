"""Which sizes the cost model can price: a type stack config accepts must have a price.

preflight's cost stage (and the budget policy) price every RDS instance and ElastiCache node
from ``policies/pricing/<region>.json``; a type that exists but has no entry there would pass
config and fail only after every resource was registered (and not at all in staging, where the
budget is advisory). The readers therefore accept only sizes these helpers find priced, in
every variant a neighbouring key can switch to without touching the size (``multiAz``, the
cache ``engine``), so that changing that key never blames a size the user did not change.
Prices are not made up here: a size is added by adding its published price to the list.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence

from policies.cost_model import cache_node_price_key, load_prices, rds_instance_price_key

from .config import ConfigError

_SIZE = re.compile(r"^(?:(\d+)xlarge|(nano|micro|small|medium|large|xlarge))$")
_NAMED = ("nano", "micro", "small", "medium", "large", "xlarge")


def price_list_path(region: str) -> str:
    """Where ``region``'s prices live, as the repository names the file (for messages)."""
    return f"policies/pricing/{region}.json"


def priced_rds_instance_classes(region: str, engine: str, classes: Iterable[str]) -> frozenset[str]:
    """Those of ``classes`` priced for ``engine`` in ``region`` both Single-AZ and Multi-AZ."""
    prices = load_prices(region).prices
    return frozenset(
        c for c in classes if all(rds_instance_price_key(engine, c, multi_az) in prices for multi_az in (False, True))
    )


def priced_ec2_instance_types(region: str) -> frozenset[str]:
    """EC2 types with an on-demand price in ``region`` (node groups, NAT instances; spot is priced off it)."""
    return frozenset(key.removeprefix("ec2:") for key in load_prices(region).prices if key.startswith("ec2:"))


def priced_sagemaker_instance_types(region: str) -> frozenset[str]:
    """SageMaker instance types (``ml.*``) with a per-instance-hour price in ``region`` (endpoints, batch transform)."""
    return frozenset(key.removeprefix("sagemaker:") for key in load_prices(region).prices if key.startswith("sagemaker:ml."))


def priced_cache_node_types(region: str, engines: Iterable[str], node_types: Iterable[str]) -> frozenset[str]:
    """Those of ``node_types`` priced in ``region`` for every one of ``engines``."""
    prices = load_prices(region).prices
    wanted = tuple(engines)
    return frozenset(t for t in node_types if all(cache_node_price_key(e, t) in prices for e in wanted))


# Up to this many accepted sizes, a refusal lists them all; beyond (EC2 prices every type), those of the value's family.
LIST_ALL_UP_TO = 40


def ec2_unpriced(value: str, region: str) -> str:
    """Why an EC2 type the Region offers is refused for want of a price (the truth: no source prices it)."""
    return (
        f"{value} exists in {region} (AWS's published list) but no price source covers it: neither Karpenter's "
        "generated Price List table nor its us-east-1 price carried to us-east-2/us-west-2 (docs/cost.md) prices it, "
        "being newer than the table or not sold on demand; add its published price there to use it"
    )


def check_priced(
    key: str, value: str, accepted: Sequence[str], *, region: str, what: str, variants: str, offered_by: str, why: str = ""
) -> str:
    """``value`` when it is one of the ``accepted`` (priced) sizes; else a ConfigError naming them (or, when
    there are many, those of ``value``'s family, else the closest names).

    Callers check first that ``offered_by`` (the service) offers ``value`` in ``region``: so the error says
    the truth, that the value exists and only its price source is missing, not that it is a typo. ``why``
    says more precisely why no source prices it (EC2: ``ec2_unpriced``)."""
    if value in accepted:
        return value
    listed = ", ".join(accepted)
    if len(accepted) > LIST_ALL_UP_TO:
        family = value.rpartition(".")[0]
        same = [a for a in accepted if a.rpartition(".")[0] == family]
        close = difflib.get_close_matches(value, list(accepted), n=5, cutoff=0.5)
        listed = (
            f"of the {family} family, " + ", ".join(same) if same else f"none of the {family} family; closest: " + ", ".join(close)
        ) + f" ({len(accepted)} priced in all)"
    raise ConfigError(
        key,
        value,
        f"{what} priced in {price_list_path(region)} ({variants}): "
        + (why or f"{value} is offered by {offered_by} in {region}, no price source yet (add its published prices there, with source and date, to use it)")
        + "; priced now: " + listed,
    )


def by_size(names: Iterable[str]) -> tuple[str, ...]:
    """``db.r6g.large`` before ``db.r6g.xlarge`` before ``db.r6g.2xlarge``: family, then size."""

    def key(name: str) -> tuple[str, int, int, str]:
        family, _, size = name.rpartition(".")
        match = _SIZE.match(size)
        if match is None:
            return (family, 2, 0, size)
        if match.group(1):
            return (family, 1, int(match.group(1)), size)
        return (family, 0, _NAMED.index(match.group(2)), size)

    return tuple(sorted(names, key=key))
