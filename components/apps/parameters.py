"""AppParameters: the endpoints and names applications need, in Parameter Store (seed "Data
Security: Parameter Store: Configuration management").

One String parameter per value under ``/<project>/<stack>/`` (database and cache endpoints, bucket
names, the inference endpoint, the secrets' ARNs), so an application reads its configuration from one
path. Values that are sensitive go in as SecureString under a customer-managed key; credentials
themselves stay in Secrets Manager and only their ARNs are published.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Optional

import pulumi
import pulumi_aws as aws

from ..platform import ComponentTags
from .parameters_plan import parameter_name


@dataclass
class AppParametersArgs:
    """Inputs of :class:`AppParameters`."""

    path: str
    """The hierarchy every parameter lives under (``parameters_plan.parameter_path``)."""
    values: Mapping[str, pulumi.Input[str]]
    """Key below ``path`` (``database/address``) -> value, published as String."""
    secure_values: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    """Key -> value published as SecureString under ``kms_key_arn``."""
    kms_key_arn: Optional[pulumi.Input[str]] = None
    """Customer-managed key of the SecureString parameters (the data key)."""


class AppParameters(pulumi.ComponentResource):
    """Publishes the stack's endpoints and names as SSM parameters."""

    names: dict[str, str]

    def __init__(self, name: str, args: AppParametersArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:
        overlap = set(args.values) & set(args.secure_values)
        if overlap:
            raise ValueError(f"AppParameters: keys both plain and secure: {sorted(overlap)}")
        if args.secure_values and args.kms_key_arn is None:
            raise ValueError("AppParameters: SecureString parameters need kms_key_arn (a customer-managed key)")
        self.names = {key: parameter_name(args.path, key) for key in [*args.values, *args.secure_values]}
        super().__init__("betterprompts:apps:AppParameters", name, None, opts)
        tags = ComponentTags("app-parameters")
        for key in sorted(self.names):
            secure = key in args.secure_values
            logical = f"{name}-{key.replace('/', '-')}"
            aws.ssm.Parameter(
                logical,
                name=self.names[key],
                type="SecureString" if secure else "String",
                # A String's value is not secret: insecure_value keeps it readable in diffs and state.
                value=args.secure_values[key] if secure else None,
                insecure_value=None if secure else args.values[key],
                key_id=args.kms_key_arn if secure else None,
                tier="Standard",
                description=f"{key} of this stack, for applications",
                tags=tags(logical),
                opts=pulumi.ResourceOptions(parent=self),
            )
        self.register_outputs({"names": self.names})
