"""Final snapshot names that differ for every deletion of a stateful resource.

A fixed name (``<name>-final``) makes the second teardown of a stack with the same name fail:
the first teardown's snapshot still holds it. A timestamp would change on every run, so Pulumi
would show (and apply) a new ``final_snapshot_identifier`` on every update. A ``RandomId`` is
created with the resource and kept in state: stable across updates, new when the stack (or
the resource's identifier, its keeper) is created again.
"""

from __future__ import annotations

import pulumi
import pulumi_random as random

from .naming import final_snapshot_identifier

SUFFIX_BYTES = 4
"""8 hex characters: one in four billion that two incarnations of a stack share a name."""


def unique_final_snapshot(name: str, identifier: str, parent: pulumi.Resource) -> pulumi.Output[str]:
    """``<name>-final-<8 hex>``; the suffix is renewed when ``identifier`` changes."""
    suffix = random.RandomId(
        f"{name}-final-snapshot",
        byte_length=SUFFIX_BYTES,
        keepers={"identifier": identifier},
        opts=pulumi.ResourceOptions(parent=parent),
    )
    return suffix.hex.apply(lambda hex_: final_snapshot_identifier(name, hex_))
