"""``betterprompts:delivery``: who may push the application's images and roll them out (DeliveryAccess).

Optional: without the section the stack has no GitHub deploy role. It needs ``betterprompts:images``
(the repositories the role pushes to).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..eks import GITHUB_REPOSITORY
from ..platform import ConfigError, Section

# GitHub environment names: up to 255 characters, no wildcards (the subject must be exact).
_ENVIRONMENT = re.compile(r"^[A-Za-z0-9._ -]{1,255}$")
# A branch name (git check-ref-format, and no pattern characters: the subject must be exact).
_BRANCH = re.compile(r"^(?!/)(?!.*//)(?!.*\.\.)[A-Za-z0-9._/-]{1,255}(?<![/.])$")


@dataclass(frozen=True)
class DeliverySettings:
    github_repository: str
    """``owner/name`` of the application repository whose workflow may assume the deploy role."""
    environment: str | None = None
    """The GitHub environment its deploy job runs in (``sub`` = ``repo:<repo>:environment:<env>``)."""
    branch: str | None = None
    """Or the branch (``sub`` = ``repo:<repo>:ref:refs/heads/<branch>``) for jobs without an environment."""
    create_oidc_provider: bool = False
    """Create the account's GitHub OIDC provider (one per account and URL); else use the existing one's ARN."""

    @staticmethod
    def read(section: Section, *, images_configured: bool) -> "DeliverySettings | None":
        if not section.names():
            return None
        repository = section.string("githubRepository", example="owner/name")
        if not GITHUB_REPOSITORY.match(repository):
            raise ConfigError(section.key("githubRepository"), repository, "a GitHub repository as owner/name, no wildcards")
        environment = section.string("environment") if section.has("environment") else None
        branch = section.string("branch") if section.has("branch") else None
        if (environment is None) == (branch is None):
            value = {"environment": environment, "branch": branch}
            raise ConfigError(
                section.key("environment"), value, "exactly one of environment (a GitHub environment) or branch: the token's subject is pinned to it"
            )
        if environment is not None and not _ENVIRONMENT.match(environment):
            raise ConfigError(section.key("environment"), environment, "a GitHub environment name (letters, digits, . _ - and spaces; no wildcards)")
        if branch is not None and not _BRANCH.match(branch):
            raise ConfigError(section.key("branch"), branch, "a branch name such as main (no wildcards)")
        settings = DeliverySettings(
            github_repository=repository,
            environment=environment,
            branch=branch,
            create_oidc_provider=section.boolean("createGithubOidcProvider", False),
        )
        section.finish()
        if not images_configured:
            raise ConfigError(section.path, section.names(), "betterprompts:images as well: the deploy role pushes to its repositories")
        return settings
