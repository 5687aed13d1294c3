"""``betterprompts:deploy``: the in-VPC runner that deploys the stack (DeployRunner).

The cluster's API endpoint is private (or open only to named ranges), so ``pulumi preview`` and
``pulumi up`` run on a CodeBuild-hosted GitHub Actions runner in the VPC's app subnets.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..platform import ConfigError, Section, check_log_retention
from .deploy_plan import COMPUTE_TYPES, DEFAULT_IMAGE

GITHUB_REPOSITORY = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})/[A-Za-z0-9._-]{1,100}$")
"""A GitHub ``owner/name`` (owner 1-39 letters, digits, hyphens; name up to 100 of letters, digits, ``. _ -``)."""
# CodeBuild's curated Ubuntu images (the ones actions/setup-python has Python builds for).
_IMAGE = re.compile(r"^aws/codebuild/standard:\d+\.\d+$")
_WORKFLOW = re.compile(r"^[\w .()-]{1,100}$")


@dataclass(frozen=True)
class DeploySettings:
    github_repository: str
    """``owner/name`` of the repository whose workflow jobs the runner takes."""
    workflow_name: str = "infrastructure"
    """The ``name:`` of the workflow (.github/workflows/infrastructure.yml) the webhook admits."""
    compute_type: str = "BUILD_GENERAL1_MEDIUM"
    image: str = DEFAULT_IMAGE
    build_timeout_minutes: int = 120
    """The longest a job may run: a first deploy of the cluster's contents takes most of an hour."""
    concurrent_builds: int = 2
    """Jobs at once (a preview and an update of this stack never need more)."""
    log_retention_days: int = 90

    @staticmethod
    def read(section: Section) -> "DeploySettings":
        defaults = DeploySettings(github_repository="-")
        repository = section.string("githubRepository", example="owner/name")
        if not GITHUB_REPOSITORY.match(repository):
            raise ConfigError(section.key("githubRepository"), repository, "a GitHub repository as owner/name (this repository)")
        workflow = section.string("workflowName", defaults.workflow_name)
        if not _WORKFLOW.match(workflow):
            raise ConfigError(section.key("workflowName"), workflow, "the workflow's name: line (letters, digits, spaces, - _ . ( ))")
        image = section.string("image", defaults.image)
        if not _IMAGE.match(image):
            raise ConfigError(section.key("image"), image, "a CodeBuild standard (Ubuntu) image such as aws/codebuild/standard:7.0")
        settings = DeploySettings(
            github_repository=repository,
            workflow_name=workflow,
            compute_type=section.string("computeType", defaults.compute_type, choices=COMPUTE_TYPES),
            image=image,
            build_timeout_minutes=section.integer("buildTimeoutMinutes", defaults.build_timeout_minutes, minimum=5, maximum=480),
            concurrent_builds=section.integer("concurrentBuilds", defaults.concurrent_builds, minimum=1, maximum=10),
            log_retention_days=check_log_retention(
                section.key("logRetentionDays"), section.integer("logRetentionDays", defaults.log_retention_days)
            ),
        )
        section.finish()
        return settings
