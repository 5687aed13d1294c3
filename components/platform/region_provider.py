"""An AWS provider for another region that carries the stack's cost-allocation tags.

Some resources must live in one region whatever the stack's region is: CloudFront's certificate,
its web ACL, Lambda@Edge and CloudFront's metrics are us-east-1's (the edge layer); the DR pilot
light is in its recovery region. Each gets an explicit provider for that region, made here so
every such provider is tagged as the stack's own one is (``default_tags``) and named by its
region, never by who asked for it first: two layers asking for us-east-1 share one provider.

Only ``__main__.py`` calls this (components take providers through their args or ``opts``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Optional

import pulumi
import pulumi_aws as aws

_REGION = re.compile(r"^[a-z]{2}(-gov)?-[a-z]+-\d$")

CLOUDFRONT_REGION = "us-east-1"
"""Where CloudFront's ACM certificates, CLOUDFRONT-scope web ACLs, Lambda@Edge functions and
CloudFront's CloudWatch metrics live (AWS: "the certificate must be requested in US East (N. Virginia)")."""


def region_provider_name(prefix: str, region: str) -> str:
    """``<prefix>-aws-<region>``: one provider per region, whichever layer needs it."""
    if not _REGION.match(region):
        raise ValueError(f"{region!r} is not an AWS region name such as us-east-1")
    return f"{prefix}-aws-{region}"


class RegionProviders:
    """The stack's providers for other regions, created on first use and shared afterwards."""

    def __init__(self, prefix: str, default_tags: Mapping[str, str], opts: Optional[pulumi.ResourceOptions] = None) -> None:
        self.prefix = prefix
        self.default_tags = dict(default_tags)
        self.opts = opts
        self._providers: dict[str, aws.Provider] = {}

    def __call__(self, region: str) -> aws.Provider:
        """The provider for ``region`` (the same object on every call)."""
        if region not in self._providers:
            self._providers[region] = aws.Provider(
                region_provider_name(self.prefix, region),
                region=region,
                # The same cost-allocation tags as the stack's own provider.
                default_tags=aws.ProviderDefaultTagsArgs(tags=self.default_tags),
                opts=self.opts,
            )
        return self._providers[region]
