"""ImageRepositories: the ECR repositories of the application's four images.

Immutable tags, scan on push, the stack's storage key, and a lifecycle that keeps the last N
release images and expires untagged ones (``images_plan.py``). Nodes pull through their role's
``AmazonEC2ContainerRegistryPullOnly``; ECR decrypts with the grant it creates on the key at
repository creation, so pullers and pushers need no KMS permission of their own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import pulumi
import pulumi_aws as aws

from ..platform import ComponentTags
from .images_plan import IMAGES, lifecycle_policy, repository_name


@dataclass
class ImageRepositoriesArgs:
    repository_prefix: str
    """Repositories are ``<prefix>/<image>``."""
    kms_key_arn: pulumi.Input[str]
    """Customer-managed key the images are encrypted with (the stack's storage key). Changing it replaces the repositories."""
    keep_releases: int = 20
    untagged_expire_days: int = 7
    protect: bool = True
    """Protected repositories are never deleted with their images (force_delete off, Pulumi protect on)."""


class ImageRepositories(pulumi.ComponentResource):
    """One ECR repository (and its lifecycle policy) per application image."""

    repository_urls: dict[str, pulumi.Output[str]]
    repository_arns: dict[str, pulumi.Output[str]]

    def __init__(self, name: str, args: ImageRepositoriesArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:
        if args.keep_releases < 1 or args.untagged_expire_days < 1:
            raise ValueError("ImageRepositories keeps at least one release and expires untagged images after at least a day")
        super().__init__("betterprompts:apps:ImageRepositories", name, None, opts)
        tags = ComponentTags("image-repositories")
        policy = lifecycle_policy(keep_releases=args.keep_releases, untagged_days=args.untagged_expire_days)
        self.repository_urls = {}
        self.repository_arns = {}
        for image in IMAGES:
            child = f"{name}-{image}"
            repository = aws.ecr.Repository(
                child,
                name=repository_name(args.repository_prefix, image),
                # A release tag always names the same image; deploys pin the digest as well.
                image_tag_mutability="IMMUTABLE",
                image_scanning_configuration=aws.ecr.RepositoryImageScanningConfigurationArgs(scan_on_push=True),
                encryption_configurations=[aws.ecr.RepositoryEncryptionConfigurationArgs(encryption_type="KMS", kms_key=args.kms_key_arn)],
                force_delete=not args.protect,
                tags=tags(child),
                opts=pulumi.ResourceOptions(parent=self, protect=args.protect),
            )
            aws.ecr.LifecyclePolicy(child, repository=repository.name, policy=policy, opts=pulumi.ResourceOptions(parent=repository))
            self.repository_urls[image] = repository.repository_url
            self.repository_arns[image] = repository.arn
        self.register_outputs({"repository_urls": self.repository_urls, "repository_arns": self.repository_arns})
