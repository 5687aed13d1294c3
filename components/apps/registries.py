"""Where the cluster may pull images from: public registries, registries with pull credentials, ECR.

A node pulls an image anonymously unless the pod names an ``imagePullSecrets`` entry; the node
role (``AmazonEC2ContainerRegistryPullOnly``) covers ECR. An image from a private registry with
neither fails every pod with ``ErrImagePull`` after the deploy has waited out its timeout, so
the config names each registry the workloads use as public or with a pull secret (a Secrets
Manager secret holding ``{"username": ..., "password": ...}``), and any other image is a
ConfigError before anything is created. Pure: the Secret objects are made by
``pull_secrets.py``.
"""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass
from typing import Any

from ..platform import ConfigError, Section, check_string

DOCKER_HUB = "docker.io"
# A private ECR registry: the node role pulls from it (same account, or a repository policy).
_ECR_HOST = re.compile(r"^\d{12}\.dkr\.ecr(-fips)?\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$")
_PREFIX = re.compile(r"^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:\d+)?(/[a-z0-9._-]+)*$")
_SECRET = re.compile(r"^(arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[\w/+=.@-]+|[\w/+=.@-]{1,512})$")


@dataclass(frozen=True)
class Registry:
    """A registry (or a path under one) the workloads pull from."""

    prefix: str
    """``host`` or ``host/path``: ``ghcr.io/betterprompts``, ``docker.io/pytorch``."""
    pull_secret: str | None = None
    """Secrets Manager secret (name or ARN) with the pull credentials; None: public."""

    @property
    def host(self) -> str:
        return self.prefix.split("/", 1)[0]

    @property
    def key(self) -> str:
        """A DNS-label-safe stable key for this registry's Kubernetes Secret."""
        return re.sub(r"[^a-z0-9]+", "-", self.prefix.lower()).strip("-")[:40].rstrip("-")


ECR = Registry("ecr")
"""The answer for an ECR image: the node role pulls it, no pull secret."""


def repository(image: str) -> str:
    """``host/path`` of an image reference, Docker Hub spelled out (``pytorch/x:1`` -> ``docker.io/pytorch/x``)."""
    name = image.split("@", 1)[0]
    last = name.rsplit("/", 1)[-1]
    if ":" in last:
        name = name[: -(len(last) - last.index(":"))]
    first = name.split("/", 1)[0]
    if "/" not in name or ("." not in first and ":" not in first and first != "localhost"):
        name = f"{DOCKER_HUB}/{name if '/' in name else 'library/' + name}"
    return name


def access(image: str, registries: tuple[Registry, ...]) -> Registry | None:
    """How a node gets ``image``: the most specific listed registry, ECR, or None (no way)."""
    path = repository(image)
    if _ECR_HOST.match(path.split("/", 1)[0]):
        return ECR
    matches = [r for r in registries if path == r.prefix or path.startswith(r.prefix + "/")]
    return max(matches, key=lambda r: len(r.prefix)) if matches else None


def check_image(key: str, image: str, registries: tuple[Registry, ...], registries_key: str) -> None:
    if access(image, registries) is None:
        raise ConfigError(
            key,
            image,
            f"an image from ECR or from a registry listed in {registries_key} "
            f"({repository(image)} is under none: add its registry with public: true or a pullSecret)",
        )


def read_registries(section: Section) -> tuple[Registry, ...]:
    """``{<host[/path]>: {public: true} | {pullSecret: <secret name or ARN>}}``."""
    found: list[Registry] = []
    for prefix in section.names():
        entry = section.child(prefix)
        key = section.key(prefix)
        if not _PREFIX.match(prefix):
            raise ConfigError(key, prefix, "a registry host or host/path in lower case, such as ghcr.io/betterprompts")
        public = entry.boolean("public", False)
        secret = entry.raw("pullSecret", None)
        if public == (secret is not None):
            raise ConfigError(key, section.raw(prefix), "exactly one of public: true or pullSecret: <Secrets Manager secret name or ARN>")
        if secret is not None:
            text = check_string(entry.key("pullSecret"), secret)
            if not _SECRET.match(text):
                raise ConfigError(entry.key("pullSecret"), secret, "a Secrets Manager secret name or ARN")
            found.append(Registry(prefix, text))
        else:
            found.append(Registry(prefix))
        entry.finish()
    section.finish()
    return tuple(found)


def docker_config_json(host: str, credentials_json: str) -> str:
    """The ``.dockerconfigjson`` of a pull secret from ``{"username": ..., "password": ...}``."""
    credentials: Any = json.loads(credentials_json)
    if not isinstance(credentials, dict) or not {"username", "password"} <= set(credentials):
        raise ValueError("a registry pull secret holds JSON with username and password")
    user, password = str(credentials["username"]), str(credentials["password"])
    auth = base64.b64encode(f"{user}:{password}".encode()).decode()
    return json.dumps({"auths": {host: {"username": user, "password": password, "auth": auth}}}, sort_keys=True)
