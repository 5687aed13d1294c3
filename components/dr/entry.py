"""What the pilot light's HTTPS entry reads of the primary's stack (docs/dr.md, "Pilot light").

The entry is the edge layer's ``ApiLoadBalancer`` composed in the DR Region (pilot_light.py). CloudFront is
production's and global: it sends the API paths to the origin name with production's ``X-Origin-Verify`` value,
whichever load balancer the name's failover pair resolves to, so the entry's listener rules require that value.
"""

from __future__ import annotations

import pulumi

ORIGIN_HEADER_VALUE_OUTPUT = "apiOriginHeaderValue"
"""The primary's stack output (a secret) holding the origin header's value."""


def primary_origin_header_value(reference: pulumi.StackReference) -> pulumi.Output[str]:
    """The primary's origin header value, read through the state backend (not the primary Region's APIs), kept secret."""
    return pulumi.Output.secret(reference.require_output(ORIGIN_HEADER_VALUE_OUTPUT).apply(str))
