"""Pure ARN arithmetic for Secrets Manager secrets (no Pulumi)."""

from __future__ import annotations

import re

# arn:<partition>:secretsmanager:<region>:<account>:secret:<name>-<6 random characters>
_SECRET_ARN = re.compile(r"^arn:(?P<partition>aws[a-z-]*):secretsmanager:(?P<region>[a-z]{2}(?:-[a-z]+)+-\d+):(?P<rest>\d{12}:secret:.+-[A-Za-z0-9]{6})$")
_REGION = re.compile(r"^[a-z]{2}(?:-[a-z]+)+-\d+$")


def replica_secret_arn(primary_arn: str, region: str) -> str:
    """The ARN of ``primary_arn``'s replica in ``region``.

    AWS, "Replicate secrets across Regions": a replica's ARN is the primary's except for the Region
    (same account, name and random suffix), so it is known without calling the primary's Region.
    """
    match = _SECRET_ARN.match(primary_arn)
    if not match:
        raise ValueError(f"not a Secrets Manager secret ARN (arn:<partition>:secretsmanager:<region>:<account>:secret:<name>-<suffix>): {primary_arn!r}")
    if not _REGION.match(region):
        raise ValueError(f"not an AWS Region code: {region!r}")
    if region == match["region"]:
        raise ValueError(f"a replica lives in another Region than its primary ({region}): {primary_arn!r}")
    return f"arn:{match['partition']}:secretsmanager:{region}:{match['rest']}"
