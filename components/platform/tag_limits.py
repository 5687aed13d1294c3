"""AWS's limits on tags, checked on the set every resource ends up with.

A resource's tags are the provider's default tags (the cost-allocation tags and
``platform.extraTags``) merged with the component's own (``Name``, ``Component`` and the few a
resource adds, such as a subnet's Kubernetes discovery tags). AWS refuses the create or update
of a resource whose merged set breaks a limit, and the defaults ride on every taggable
resource, so one bad value would fail nearly every resource of the stack mid-deploy: the set
is checked when the settings are read.

Source (the limits every tagging service shares): AWS "Tag naming limits and requirements"
(https://docs.aws.amazon.com/tag-editor/latest/userguide/tagging.html, and each service's
``Tag`` type): at most 50 user tags per resource; keys of 1-128 and values of 0-256 Unicode
characters; letters, digits, spaces and ``_ . : / = + - @``; neither may start with ``aws:``
in any case.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping

from .config import ConfigError

MAX_TAGS_PER_RESOURCE = 50
MAX_KEY_LENGTH = 128
MAX_VALUE_LENGTH = 256
ALLOWED_SYMBOLS = "_.:/=+-@"
RESERVED_PREFIX = "aws:"

MAX_OWN_TAGS = 6
"""The most tags one resource of this program adds to the defaults (a subnet: Name, Component,
Tier and three Kubernetes discovery tags). tests/platform/test_tag_limits.py measures it on both
stacks' plans, so a component that adds more fails that test until this is raised."""


def tag_text_problem(text: str, limit: int, *, empty_ok: bool) -> str | None:
    """Why AWS would refuse ``text`` as a tag key (``empty_ok=False``) or value, or None."""
    if not text and not empty_ok:
        return "at least one character"
    if len(text) > limit:
        return f"at most {limit} characters (this has {len(text)})"
    bad = sorted({c for c in text if not _allowed(c)})
    if bad:
        return "letters, digits, spaces and " + " ".join(ALLOWED_SYMBOLS) + " only, not " + " ".join(repr(c) for c in bad)
    if text.lower().startswith(RESERVED_PREFIX):
        return "text not starting with aws: (AWS reserves it)"
    return None


def _allowed(char: str) -> bool:
    category = unicodedata.category(char)
    return category[0] in ("L", "N") or category == "Zs" or char in ALLOWED_SYMBOLS


def check_default_tags(tags: Mapping[str, str], sources: Mapping[str, str], extra_key: str) -> None:
    """The provider's default tags within AWS's limits, with room for every resource's own.

    ``sources`` names where each tag comes from (its config key) for the error; ``extra_key``
    is the key of the extra tags (``betterprompts:platform.extraTags``).
    """
    for key, value in tags.items():
        where = sources.get(key, key)
        problem = tag_text_problem(key, MAX_KEY_LENGTH, empty_ok=False)
        if problem:
            raise ConfigError(where, key, f"a tag key of {problem}")
        problem = tag_text_problem(value, MAX_VALUE_LENGTH, empty_ok=True)
        if problem:
            raise ConfigError(where, value, f"a value for the tag {key} of {problem}")
    room = MAX_TAGS_PER_RESOURCE - MAX_OWN_TAGS
    if len(tags) > room:
        extra = [key for key in tags if sources.get(key, "").startswith(extra_key + ".")]
        raise ConfigError(
            extra_key,
            {key: tags[key] for key in extra},
            f"at most {room - (len(tags) - len(extra))} extra tags: AWS allows {MAX_TAGS_PER_RESOURCE} per resource, "
            f"{len(tags) - len(extra)} are the cost-allocation tags and a resource adds up to {MAX_OWN_TAGS} of its own",
        )

