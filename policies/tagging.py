"""Cost-allocation tags on every taggable AWS resource (spec: "Resource Tagging").

A resource's effective tags are its provider's ``defaultTags`` overlaid with its own
``tags``, which is what AWS ends up with (``tagsAll``). Which types are taggable is not
a hand-kept list: a type is taggable when its ``pulumi_aws`` class takes ``tags``, so a
new resource type is covered the day it is used.
"""

from __future__ import annotations

import functools
import importlib
import inspect
import keyword
import warnings
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Optional

from pulumi_policy import PolicyProviderResource, ResourceValidationArgs, Severity

from .common import UNKNOWN, current_stack, decode_json, get, items, label, resource_policy

REQUIRED_TAGS: tuple[tuple[str, ...], ...] = (
    ("Project",),
    ("Environment",),
    ("Service", "Component"),
    ("CostCenter",),
    ("Owner",),
    ("ManagedBy",),
)
"""Each group must be present with a non-empty value; any tag of a group satisfies it."""


@functools.lru_cache(maxsize=None)
def sdk_takes_tags(resource_type: str) -> Optional[bool]:
    """Whether the ``pulumi_aws`` class of ``resource_type`` takes ``tags`` (None: not an SDK type)."""
    parts = resource_type.split(":")
    if len(parts) != 3 or parts[0] != "aws":
        return None
    module_token, class_name = parts[1], parts[2]
    module_name = _sdk_module(module_token)
    with warnings.catch_warnings():
        # The SDK loads its modules lazily and warns about deprecated classes as it does; none is ours.
        warnings.simplefilter("ignore", DeprecationWarning)
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            return None
        init = getattr(getattr(module, class_name, None), "_internal_init", None)
    if init is None:
        return None
    return "tags" in inspect.signature(init).parameters


def _sdk_module(module_token: str) -> str:
    """The Python module of an ``aws:<module>/<member>:<Type>`` token, from the SDK's own registry."""
    import pulumi.runtime.rpc as rpc
    import pulumi_aws  # noqa: F401 - registers the SDK's resource modules

    registered = rpc.get_resource_module("aws", module_token, "")
    fqn = getattr(registered, "mod_info", {}).get("fqn") if registered is not None else None
    if isinstance(fqn, str):
        return fqn
    first = module_token.split("/")[0]
    if first == "index":
        return "pulumi_aws"
    return f"pulumi_aws.{first}_" if keyword.iskeyword(first) else f"pulumi_aws.{first}"


def is_taggable(resource_type: str, props: Mapping[str, Any]) -> bool:
    """An AWS resource whose SDK class takes ``tags`` (or, for a type the SDK does not know, that has them)."""
    if not resource_type.startswith("aws:"):
        return False
    takes = sdk_takes_tags(resource_type)
    if takes is None:
        return get(props, "tags") is not None
    return takes


def provider_default_tags(provider: Optional[PolicyProviderResource]) -> Any:
    """The provider's ``defaultTags.tags`` (a dict, or UNKNOWN). Providers JSON-encode the block."""
    if provider is None:
        return {}
    default_tags = decode_json(get(provider.props, "defaultTags"))
    if default_tags is UNKNOWN:
        return UNKNOWN
    tags = get(default_tags, "tags", default={})
    return _as_dict(tags)


def _as_dict(tags: Any) -> Any:
    if tags is UNKNOWN:
        return UNKNOWN
    if isinstance(tags, Mapping):
        result: dict[str, Any] = {}
        for key in tags:
            result[str(key)] = get(tags, key, default="")
        return result
    # Some resources (autoscaling groups) take tags as a list of {key, value} objects.
    result = {}
    for entry in items(tags):
        key = get(entry, "key")
        if isinstance(key, str):
            result[key] = get(entry, "value", default="")
    return result


def effective_tags(args: ResourceValidationArgs) -> Any:
    """Provider default tags overlaid with the resource's own, or UNKNOWN when either is not known."""
    defaults = provider_default_tags(args.provider)
    own = _as_dict(get(args.props, "tags", default={}))
    if defaults is UNKNOWN or own is UNKNOWN:
        return UNKNOWN
    merged = dict(defaults)
    merged.update(own)
    return merged


def _blank(value: Any) -> bool:
    return value is not UNKNOWN and (not isinstance(value, str) or not value.strip())


def _check(args: ResourceValidationArgs) -> Iterator[str]:
    if not is_taggable(args.resource_type, args.props):
        return
    tags = effective_tags(args)
    if tags is UNKNOWN:
        return
    where = label(args.resource_type, args.name)
    missing = ["/".join(group) for group in REQUIRED_TAGS if all(_blank(tags.get(tag, "")) for tag in group)]
    if missing:
        yield (
            f"{where}: tags (provider defaultTags + resource tags) lack non-empty {', '.join(missing)}. "
            "Fix: set them in the provider's default_tags (components.platform.cost_allocation_tags) "
            "or in the resource's tags."
        )
    environment = tags.get("Environment")
    stack = current_stack()
    if isinstance(environment, str) and environment.strip() and environment != stack:
        yield (
            f"{where}: tag Environment is {environment!r} but the stack is {stack!r}. "
            "Fix: derive Environment from the stack name (pulumi.get_stack()), never hard-code it."
        )


def taggable_types(resource_types: Iterable[str]) -> set[str]:
    """The taggable ones among ``resource_types`` (for coverage tests and reports)."""
    return {t for t in resource_types if t.startswith("aws:") and sdk_takes_tags(t)}


class _AllAwsTypes(frozenset[str]):
    """Every type: the policy itself decides taggability per resource."""

    def __contains__(self, item: object) -> bool:
        return isinstance(item, str) and item.startswith("aws:")


REQUIRED_TAGS_POLICY = resource_policy(
    name="required-cost-allocation-tags",
    description=(
        "Every taggable AWS resource carries the cost-allocation tags Project, Environment (= the stack), "
        "Service or Component, CostCenter, Owner and ManagedBy, counting the provider's default tags."
    ),
    severity=Severity.MEDIUM,
    types=_AllAwsTypes(),
    check=_check,
    remediation=(
        "Give the stack's aws.Provider default_tags from components.platform.cost_allocation_tags and add "
        "ComponentTags to each resource's tags."
    ),
)

POLICIES = [REQUIRED_TAGS_POLICY]
