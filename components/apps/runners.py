"""RunnerScaleSet: self-hosted GitHub Actions runners on the spot pool (the seed's CI/CD alternative).

Actions Runner Controller's official charts, pinned (``runners_plan``): the controller in its own
namespace on the system nodes, and one runner scale set in a restricted namespace whose ephemeral
runner pods go to the spot pool, from zero (no idle runner, so no node while nothing runs) to
``maxRunners``. The scale set authenticates to GitHub as a GitHub App: its credentials are a
Secrets Manager secret whose value an administrator sets (never config), read at deploy time
into a Kubernetes Secret, like the image pull secrets.

Jobs on these runners are inside the VPC, so they reach the private cluster endpoint; they get
AWS credentials the same way as anywhere (the delivery role through GitHub's OIDC provider).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional, Sequence

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from ..eks import SPOT, SYSTEM
from ..platform import release
from . import runners_plan as plan
from .runners_settings import RunnersSettings

# Restricted Pod Security: the runner pods meet it (non-root, no escalation, no capabilities).
RESTRICTED = {"pod-security.kubernetes.io/enforce": "restricted", "pod-security.kubernetes.io/warn": "restricted"}
# The controller's deployment and CRDs (no node to wait for); the scale set's listener pod.
CONTROLLER_TIMEOUT_SECONDS = 300
SCALE_SET_TIMEOUT_SECONDS = 300


@dataclass
class RunnerScaleSetArgs:
    settings: RunnersSettings
    k8s_provider: k8s.Provider
    controller_replicas: int = 1
    depends_on: Sequence[pulumi.Resource] = field(default_factory=list)
    """What the releases wait for (the cluster's add-ons and node groups)."""


class RunnerScaleSet(pulumi.ComponentResource):
    """The ARC controller and one runner scale set on spot nodes, scaling to zero."""

    runs_on: str

    def __init__(self, name: str, args: RunnerScaleSetArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:
        settings = args.settings
        if settings.namespace == settings.controller_namespace:
            raise ValueError("RunnerScaleSet: the runners and the controller need separate namespaces")
        super().__init__("betterprompts:apps:RunnerScaleSet", name, None, opts)
        k8s_opts = pulumi.ResourceOptions(parent=self, provider=args.k8s_provider, depends_on=list(args.depends_on))

        controller = release(
            f"{name}-controller",
            plan.CONTROLLER_CHART,
            namespace=settings.controller_namespace,
            values=plan.controller_values(tolerations=SYSTEM.tolerations(), node_selector=SYSTEM.node_selector(), replicas=args.controller_replicas),
            parent=self,
            provider=args.k8s_provider,
            timeout_seconds=CONTROLLER_TIMEOUT_SECONDS,
            release_name=plan.CONTROLLER_RELEASE,
            depends_on=list(args.depends_on),
        )
        namespace = k8s.core.v1.Namespace(
            f"{name}-namespace",
            metadata=k8s.meta.v1.ObjectMetaArgs(name=settings.namespace, labels=RESTRICTED),
            opts=k8s_opts,
        )
        # Read at deploy time from Secrets Manager (the invoke goes through this component's AWS provider).
        version = aws.secretsmanager.get_secret_version_output(secret_id=settings.app_secret, opts=pulumi.InvokeOutputOptions(parent=self))
        app: pulumi.Output[dict[str, str]] = version.secret_string.apply(plan.app_secret_data)
        data: pulumi.Output[dict[str, str]] = pulumi.Output.secret(app)
        secret = k8s.core.v1.Secret(
            f"{name}-github-app",
            metadata=k8s.meta.v1.ObjectMetaArgs(name=plan.K8S_SECRET_NAME, namespace=namespace.metadata.name),
            type="Opaque",
            string_data=data,
            opts=pulumi.ResourceOptions.merge(k8s_opts, pulumi.ResourceOptions(depends_on=[namespace])),
        )
        release(
            f"{name}-scale-set",
            plan.SCALE_SET_CHART,
            namespace=settings.namespace,
            values=plan.scale_set_values(
                github_config_url=settings.github_config_url,
                scale_set_name=settings.scale_set_name,
                max_runners=settings.max_runners,
                controller_namespace=settings.controller_namespace,
                node_selector=SPOT.node_selector(),
                tolerations=SPOT.tolerations(),
                cpu=settings.cpu,
                memory=settings.memory,
            ),
            parent=self,
            provider=args.k8s_provider,
            timeout_seconds=SCALE_SET_TIMEOUT_SECONDS,
            release_name=settings.scale_set_name,
            create_namespace=False,
            # The CRDs and the controller's service account, the namespace and the App's Secret first.
            depends_on=[*args.depends_on, controller, namespace, secret],
        )
        self.runs_on = settings.scale_set_name
        self.register_outputs({"runs_on": self.runs_on})
