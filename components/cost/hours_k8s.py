"""The Kubernetes side of business hours: the HPA scaler's RBAC and its CronJobs (pure, typed args)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import pulumi_kubernetes as k8s

SERVICE_ACCOUNT = "business-hours"
# A missed run (no node free at the moment, the controller restarting) still acts within the hour,
# as the Scheduler's retries do for the node groups; older than that, the next event is near.
STARTING_DEADLINE_SECONDS = 3600
NON_ROOT_UID = 65534


def kubectl_image(kubernetes_version: str) -> str:
    """The official kubectl image (registry.k8s.io, published per release since 1.28) of the cluster's minor."""
    return f"registry.k8s.io/kubectl:v{kubernetes_version}.0"


def hpa_role_rules(hpas: Sequence[str]) -> list[dict[str, Any]]:
    """Read and patch exactly these HPAs (by name): not their Deployments, nor any other HPA."""
    return [
        {
            "api_groups": ["autoscaling"],
            "resources": ["horizontalpodautoscalers"],
            "resource_names": sorted(hpas),
            "verbs": ["get", "patch"],
        }
    ]


def patch_command(hpa: str, namespace: str, min_replicas: int) -> list[str]:
    """``kubectl patch`` of one HPA's ``spec.minReplicas`` (a merge patch: nothing else moves)."""
    patch = json.dumps({"spec": {"minReplicas": min_replicas}}, separators=(",", ":"))
    # The image is distroless (no shell) with kubectl at /bin/kubectl, its entrypoint.
    return ["/bin/kubectl", "patch", "horizontalpodautoscaler", hpa, "--namespace", namespace, "--type", "merge", "--patch", patch]


def cronjob_spec(
    *, schedule: str, timezone: str, image: str, replicas: Mapping[str, int], namespaces: Mapping[str, str]
) -> k8s.batch.v1.CronJobSpecArgs:
    core = k8s.core.v1
    containers = [
        core.ContainerArgs(
            name=hpa,
            image=image,
            command=patch_command(hpa, namespaces[hpa], count),
            # kubectl's discovery cache goes to $HOME; the root filesystem is read-only.
            env=[core.EnvVarArgs(name="HOME", value="/tmp")],
            volume_mounts=[core.VolumeMountArgs(name="tmp", mount_path="/tmp")],
            resources=core.ResourceRequirementsArgs(
                requests={"cpu": "10m", "memory": "32Mi"}, limits={"cpu": "100m", "memory": "64Mi"}
            ),
            security_context=core.SecurityContextArgs(
                allow_privilege_escalation=False,
                read_only_root_filesystem=True,
                capabilities=core.CapabilitiesArgs(drop=["ALL"]),
            ),
        )
        for hpa, count in sorted(replicas.items())
    ]
    pod = core.PodSpecArgs(
        service_account_name=SERVICE_ACCOUNT,
        restart_policy="OnFailure",
        # The namespace enforces the restricted Pod Security Standard.
        security_context=core.PodSecurityContextArgs(
            run_as_non_root=True,
            run_as_user=NON_ROOT_UID,
            run_as_group=NON_ROOT_UID,
            seccomp_profile=core.SeccompProfileArgs(type="RuntimeDefault"),
        ),
        containers=containers,
        volumes=[core.VolumeArgs(name="tmp", empty_dir=core.EmptyDirVolumeSourceArgs(size_limit="16Mi"))],
    )
    return k8s.batch.v1.CronJobSpecArgs(
        schedule=schedule,
        time_zone=timezone,
        concurrency_policy="Forbid",
        starting_deadline_seconds=STARTING_DEADLINE_SECONDS,
        successful_jobs_history_limit=1,
        failed_jobs_history_limit=3,
        job_template=k8s.batch.v1.JobTemplateSpecArgs(
            spec=k8s.batch.v1.JobSpecArgs(
                backoff_limit=3,
                ttl_seconds_after_finished=86400,
                template=core.PodTemplateSpecArgs(spec=pod),
            )
        ),
    )
