"""``betterprompts:runners``: the Actions Runner Controller scale set on the spot pool (RunnerScaleSet).

Optional: without the section the stack runs no self-hosted runners.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..platform import ConfigError, Section, cpu_millicores, memory_bytes

# An organization or a repository on github.com (the scale set registers there).
_CONFIG_URL = re.compile(r"^https://github\.com/[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:/[A-Za-z0-9._-]{1,100})?$")
# Secrets Manager names: letters, digits and /_+=.@- up to 512 characters.
_SECRET_NAME = re.compile(r"^[A-Za-z0-9/_+=.@-]{1,512}$")
_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]{0,43}[a-z0-9])?$")


@dataclass(frozen=True)
class RunnersSettings:
    github_config_url: str
    """Where the scale set registers: ``https://github.com/<org>`` or ``https://github.com/<org>/<repo>``."""
    app_secret: str
    """Secrets Manager secret (name or ARN) holding the GitHub App's JSON credentials; its value is set out of band."""
    scale_set_name: str
    """The ``runs-on`` label jobs use (and the release name)."""
    max_runners: int = 4
    cpu: str = "1"
    memory: str = "2Gi"
    namespace: str = "arc-runners"
    controller_namespace: str = "arc-systems"

    @staticmethod
    def read(section: Section, *, project: str, stack: str) -> "RunnersSettings | None":
        if not section.names():
            return None
        # Examples: a survey's stand-ins for missing values, valid so that it reads on to every key.
        url = section.string("githubConfigUrl", example="https://github.com/owner")
        if not _CONFIG_URL.match(url):
            raise ConfigError(section.key("githubConfigUrl"), url, "https://github.com/<org> or https://github.com/<org>/<repo>")
        secret = section.string("appSecret", example="runners/github-app")
        if not (secret.startswith("arn:aws:secretsmanager:") or _SECRET_NAME.match(secret)):
            raise ConfigError(section.key("appSecret"), secret, "a Secrets Manager secret name or ARN (the value is set out of band)")
        name = section.string("scaleSetName", f"{project}-{stack}")
        if not _LABEL.match(name):
            raise ConfigError(section.key("scaleSetName"), name, "a lower-case DNS label of at most 45 characters (the runs-on label)")
        cpu = section.string("cpu", "1")
        memory = section.string("memory", "2Gi")
        cpu_millicores(section.key("cpu"), cpu)
        memory_bytes(section.key("memory"), memory)
        settings = RunnersSettings(
            github_config_url=url,
            app_secret=secret,
            scale_set_name=name,
            max_runners=section.integer("maxRunners", 4, minimum=1, maximum=100),
            cpu=cpu,
            memory=memory,
        )
        section.finish()
        return settings
