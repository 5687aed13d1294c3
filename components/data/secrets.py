"""The one way the data layer makes a Secrets Manager secret: under the data key, protected like its data."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from ..platform import ComponentTags

# Days a deleted secret can still be restored: the longest window where the data is protected.
PROTECTED_RECOVERY_DAYS = 30
UNPROTECTED_RECOVERY_DAYS = 7


def encrypted_secret(
    name: str,
    *,
    description: str,
    kms_key_arn: pulumi.Input[str],
    protect: bool,
    tags: ComponentTags,
    parent: pulumi.Resource,
    extra_tags: dict[str, str] | None = None,
) -> aws.secretsmanager.Secret:
    """A secret encrypted with ``kms_key_arn``; ``protect`` adds Pulumi protection and the longest recovery window."""
    return aws.secretsmanager.Secret(
        name,
        description=description,
        kms_key_id=kms_key_arn,
        recovery_window_in_days=PROTECTED_RECOVERY_DAYS if protect else UNPROTECTED_RECOVERY_DAYS,
        tags=tags(name, extra_tags),
        opts=pulumi.ResourceOptions(parent=parent, protect=protect),
    )
