"""Image pull secrets: a registry's credentials from Secrets Manager as a Kubernetes Secret.

The credentials never sit in code or stack config: the program reads the secret the config
names at deploy time (an invoke, so the state holds the value only as a Pulumi secret) and
writes it as a ``kubernetes.io/dockerconfigjson`` Secret in the namespace of the pods that
pull from the registry.
"""

from __future__ import annotations

from typing import Optional

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from .registries import Registry, docker_config_json

DOCKER_CONFIG_JSON = "kubernetes.io/dockerconfigjson"


def pull_secret_name(registry: Registry) -> str:
    return f"pull-{registry.key}"


def pull_secret(
    name: str,
    registry: Registry,
    *,
    namespace: pulumi.Input[str],
    parent: pulumi.Resource,
    k8s_provider: k8s.Provider,
    depends_on: Optional[list[pulumi.Resource]] = None,
) -> k8s.core.v1.Secret:
    """The Secret pods name in ``imagePullSecrets`` to pull from ``registry``.

    ``parent`` must carry the stack's AWS provider (the invoke inherits it).
    """
    if registry.pull_secret is None:
        raise ValueError(f"registry {registry.prefix} is public: it needs no pull secret")
    version = aws.secretsmanager.get_secret_version_output(
        secret_id=registry.pull_secret, opts=pulumi.InvokeOutputOptions(parent=parent)
    )
    docker_config: pulumi.Output[str] = version.secret_string.apply(lambda text: docker_config_json(registry.host, text))
    config: pulumi.Output[str] = pulumi.Output.secret(docker_config)
    return k8s.core.v1.Secret(
        name,
        metadata=k8s.meta.v1.ObjectMetaArgs(name=pull_secret_name(registry), namespace=namespace),
        type=DOCKER_CONFIG_JSON,
        string_data={".dockerconfigjson": config},
        opts=pulumi.ResourceOptions(parent=parent, provider=k8s_provider, depends_on=depends_on or []),
    )
