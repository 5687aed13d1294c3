"""``betterprompts:images``: the ECR repositories of the application's images (ImageRepositories).

Optional: without the section (or with an empty one) the stack creates no repositories (images come from the
registries ``betterprompts:workloads.registries`` lists).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..platform import ConfigError, Section

# ECR: lower case letters, digits, and . _ - / separators; 2-256 characters with the image name.
_PREFIX = re.compile(r"^[a-z0-9]+(?:[._-][a-z0-9]+)*$")


@dataclass(frozen=True)
class ImagesSettings:
    repository_prefix: str
    """Repositories are ``<prefix>/<image>`` (default ``<project>-<stack>``, so two stacks share an account)."""
    keep_releases: int = 20
    """Tagged (release) images each repository keeps; older ones expire."""
    untagged_expire_days: int = 7
    """Days after which an untagged image (a superseded build) expires."""

    @staticmethod
    def read(section: Section, *, project: str, stack: str) -> "ImagesSettings | None":
        if not section.names():
            return None
        prefix = section.string("repositoryPrefix", f"{project}-{stack}")
        if not _PREFIX.match(prefix) or len(prefix) > 200:
            raise ConfigError(section.key("repositoryPrefix"), prefix, "lower-case letters and digits separated by . _ or - (at most 200)")
        settings = ImagesSettings(
            repository_prefix=prefix,
            keep_releases=section.integer("keepReleases", 20, minimum=1, maximum=1000),
            untagged_expire_days=section.integer("untaggedExpireDays", 7, minimum=1, maximum=365),
        )
        section.finish()
        return settings
