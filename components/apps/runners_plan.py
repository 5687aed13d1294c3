"""Pure calculations for RunnerScaleSet: the pinned ARC charts, their values, the GitHub App secret.

Actions Runner Controller's runner scale sets (GitHub's own charts, published as OCI artifacts):
the controller watches ``AutoscalingRunnerSet`` objects; each scale set runs a listener that
long-polls GitHub for jobs labelled with its name and creates one ephemeral runner pod per job,
down to ``minRunners`` (0: no pod, no node while nothing runs). The runner pods go to the spot
pool; the scale set authenticates to GitHub as a GitHub App whose credentials come from Secrets
Manager (set out of band; never in config).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from ..platform import ChartRef

ARC_CHARTS = "oci://ghcr.io/actions/actions-runner-controller-charts"
# Both charts are released together; bump them with their vendored values.yaml (tests/vendor).
ARC_VERSION = "0.14.2"
CONTROLLER_CHART = ChartRef("gha-runner-scale-set-controller", ARC_CHARTS, ARC_VERSION)
SCALE_SET_CHART = ChartRef("gha-runner-scale-set", ARC_CHARTS, ARC_VERSION)
CONTROLLER_RELEASE = "arc"
# The controller chart's fullname for release "arc" (gha-rs-controller appended), which its
# service account takes; the scale set names it instead of discovering it with a cluster-wide lookup.
CONTROLLER_SERVICE_ACCOUNT = f"{CONTROLLER_RELEASE}-gha-rs-controller"
# The runner image of ARC 0.14.2's release (its Makefile's RUNNER_VERSION).
RUNNER_IMAGE = "ghcr.io/actions/actions-runner:2.334.0"
RUNNER_UID = 1001
"""The ``runner`` user of GitHub's runner image."""
APP_SECRET_KEYS = ("github_app_id", "github_app_installation_id", "github_app_private_key")
K8S_SECRET_NAME = "arc-github-app"


def app_secret_data(secret_string: str) -> dict[str, str]:
    """The Kubernetes Secret the scale set names (``githubConfigSecret``) from the Secrets Manager JSON.

    IDs must be strings (the chart says so); a missing key fails the deploy with the key's name.
    """
    try:
        document = json.loads(secret_string)
    except ValueError:
        raise ValueError("the GitHub App secret must be JSON with " + ", ".join(APP_SECRET_KEYS)) from None
    missing = [key for key in APP_SECRET_KEYS if not isinstance(document, Mapping) or not document.get(key)]
    if missing:
        raise ValueError("the GitHub App secret lacks " + ", ".join(missing) + " (docs/delivery.md, 'Runners')")
    return {key: str(document[key]) for key in APP_SECRET_KEYS}


def controller_values(*, tolerations: Sequence[Mapping[str, str]], node_selector: Mapping[str, str], replicas: int) -> dict[str, Any]:
    """The controller on the system nodes, logging at info (the chart defaults to debug)."""
    return {
        "replicaCount": replicas,
        "nodeSelector": dict(node_selector),
        "tolerations": [dict(t) for t in tolerations],
        "podSecurityContext": {"runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}},
        "securityContext": {"allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True, "capabilities": {"drop": ["ALL"]}},
        "resources": {"requests": {"cpu": "50m", "memory": "128Mi"}, "limits": {"memory": "256Mi"}},
        "flags": {"logLevel": "info", "logFormat": "json"},
    }


def scale_set_values(
    *,
    github_config_url: str,
    scale_set_name: str,
    max_runners: int,
    controller_namespace: str,
    node_selector: Mapping[str, str],
    tolerations: Sequence[Mapping[str, str]],
    cpu: str,
    memory: str,
) -> dict[str, Any]:
    """From zero to ``max_runners`` ephemeral runners on the spot pool, no privileged container.

    No ``containerMode``: jobs run in the runner container itself (kubectl, helm, the AWS CLI);
    images are built on GitHub's hosted runners, so no Docker-in-Docker and no privileged pod.
    """
    return {
        "githubConfigUrl": github_config_url,
        "githubConfigSecret": K8S_SECRET_NAME,
        "runnerScaleSetName": scale_set_name,
        "minRunners": 0,
        "maxRunners": max_runners,
        "controllerServiceAccount": {"namespace": controller_namespace, "name": CONTROLLER_SERVICE_ACCOUNT},
        "template": {
            "spec": {
                "nodeSelector": dict(node_selector),
                "tolerations": [dict(t) for t in tolerations],
                "securityContext": {
                    "runAsNonRoot": True,
                    "runAsUser": RUNNER_UID,
                    "runAsGroup": RUNNER_UID,
                    "fsGroup": RUNNER_UID,
                    "seccompProfile": {"type": "RuntimeDefault"},
                },
                "containers": [
                    {
                        "name": "runner",
                        "image": RUNNER_IMAGE,
                        "command": ["/home/runner/run.sh"],
                        "resources": {"requests": {"cpu": cpu, "memory": memory}, "limits": {"memory": memory}},
                        "securityContext": {"allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]}},
                    }
                ],
            }
        },
    }
