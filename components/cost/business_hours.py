"""BusinessHours: raise the SageMaker variant's and the services' HPA minimums for business hours.

The node groups' floors are raised by ``CostControls``' Scheduler schedules (the same role and
weekly model as the shutdown); this component does the rest of the same model (``hours_plan``):

- the SageMaker variant: Application Auto Scaling scheduled actions on its scalable target
  (``MinCapacity`` raised at the window's start, lowered after; the maximum stays);
- the services' HPAs: a CronJob per event in the workloads' namespace whose pod runs
  ``kubectl patch hpa <name> minReplicas`` (one container per HPA; the image has no shell), as a
  service account whose Roles allow ``get``/``patch`` on exactly those HPAs by name. The HPAs keep
  reading prometheus-adapter: nothing here is a metrics provider.

Pure parts: ``hours_plan`` (levels, events, crons) and ``hours_k8s`` (the Kubernetes objects).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Optional

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from .hours_k8s import SERVICE_ACCOUNT, cronjob_spec, hpa_role_rules
from .hours_plan import Level, floor_action, target_events


@dataclass
class ScaledVariant:
    """The SageMaker variant's scalable target and the minimum business hours raise it to."""

    resource_id: pulumi.Input[str]
    min_capacity: int
    max_capacity: int
    floor: int
    depends_on: Sequence[pulumi.Resource] = ()
    """The scalable target (a scheduled action needs it registered)."""


@dataclass
class ScaledHpa:
    """One HPA (named like its Deployment) and the minimum business hours raise it to."""

    namespace: str
    min_replicas: int
    floor: int


@dataclass
class BusinessHoursArgs:
    timezone: str
    """IANA zone of the weekly model (every schedule, action and CronJob fires in it)."""
    levels: Sequence[Level]
    """The week's levels (``hours_plan.weekly_levels``)."""
    variant: Optional[ScaledVariant] = None
    hpas: Mapping[str, ScaledHpa] = field(default_factory=dict)
    k8s_provider: Optional[pulumi.ProviderResource] = None
    job_namespace: str = ""
    """Where the CronJobs and their service account live (the services' namespace)."""
    kubectl_image: str = ""
    depends_on: Sequence[pulumi.Resource] = ()
    """What the Kubernetes objects wait for (the namespaces and HPAs)."""


def _check_args(args: BusinessHoursArgs) -> None:
    if not args.levels or Level.PEAK not in args.levels:
        raise ValueError("BusinessHours needs a week with business hours in it")
    for name, hpa in args.hpas.items():
        if not hpa.min_replicas < hpa.floor:
            raise ValueError(f"BusinessHours: the floor of HPA {name!r} ({hpa.floor}) must exceed its minimum ({hpa.min_replicas})")
    if args.hpas and (args.k8s_provider is None or not args.job_namespace or not args.kubectl_image):
        raise ValueError("BusinessHours: HPAs need the Kubernetes provider, the job namespace and the kubectl image")
    variant = args.variant
    if variant is not None and not variant.min_capacity < variant.floor <= variant.max_capacity:
        raise ValueError(f"BusinessHours: the variant's floor must be in ({variant.min_capacity}, {variant.max_capacity}]")


class BusinessHours(pulumi.ComponentResource):
    """Scheduled floors for the SageMaker variant and the services' HPAs."""

    event_names: list[str]

    def __init__(self, name: str, args: BusinessHoursArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:
        _check_args(args)
        super().__init__("betterprompts:cost:BusinessHours", name, None, opts)
        self.event_names = []
        if args.variant is not None:
            self._variant(name, args, args.variant)
        if args.hpas:
            self._hpas(name, args)
        self.register_outputs({"event_names": self.event_names})

    def _variant(self, name: str, args: BusinessHoursArgs, variant: ScaledVariant) -> None:
        events = target_events(args.levels, floor_action(floor=variant.floor))
        for event, moment in events.items():
            minimum = variant.floor if event.startswith("raise") else variant.min_capacity
            action_name = f"{name}-sagemaker-{event}"
            aws.appautoscaling.ScheduledAction(
                action_name,
                name=action_name,
                service_namespace="sagemaker",
                resource_id=variant.resource_id,
                scalable_dimension="sagemaker:variant:DesiredInstanceCount",
                schedule=moment.scheduler_cron(),
                timezone=args.timezone,
                scalable_target_action=aws.appautoscaling.ScheduledActionScalableTargetActionArgs(
                    min_capacity=minimum, max_capacity=variant.max_capacity
                ),
                opts=pulumi.ResourceOptions(parent=self, depends_on=list(variant.depends_on)),
            )
            self.event_names.append(f"sagemaker-{event}")

    def _hpas(self, name: str, args: BusinessHoursArgs) -> None:
        k8s_opts = pulumi.ResourceOptions(parent=self, provider=args.k8s_provider, depends_on=list(args.depends_on))
        meta = k8s.meta.v1.ObjectMetaArgs
        account = k8s.core.v1.ServiceAccount(
            f"{name}-hpa-scaler",
            metadata=meta(name=SERVICE_ACCOUNT, namespace=args.job_namespace),
            # The pods call the API with the mounted token; nothing else reads it.
            automount_service_account_token=True,
            opts=k8s_opts,
        )
        by_namespace: dict[str, list[str]] = {}
        for hpa, target in sorted(args.hpas.items()):
            by_namespace.setdefault(target.namespace, []).append(hpa)
        bindings: list[pulumi.Resource] = []
        for namespace, hpas in sorted(by_namespace.items()):
            role = k8s.rbac.v1.Role(
                f"{name}-hpa-scaler-{namespace}",
                metadata=meta(name=SERVICE_ACCOUNT, namespace=namespace),
                rules=[k8s.rbac.v1.PolicyRuleArgs(**rule) for rule in hpa_role_rules(hpas)],
                opts=k8s_opts,
            )
            bindings.append(
                k8s.rbac.v1.RoleBinding(
                    f"{name}-hpa-scaler-{namespace}",
                    metadata=meta(name=SERVICE_ACCOUNT, namespace=namespace),
                    role_ref=k8s.rbac.v1.RoleRefArgs(api_group="rbac.authorization.k8s.io", kind="Role", name=SERVICE_ACCOUNT),
                    subjects=[k8s.rbac.v1.SubjectArgs(kind="ServiceAccount", name=SERVICE_ACCOUNT, namespace=args.job_namespace)],
                    opts=pulumi.ResourceOptions.merge(k8s_opts, pulumi.ResourceOptions(depends_on=[role, account])),
                )
            )
        # Every HPA shares the week's levels, so their events fall at the same moments: one CronJob
        # per event patches each HPA to its own floor (raise) or minimum (lower).
        events = target_events(args.levels, floor_action(floor=1))
        for event, moment in events.items():
            replicas = {hpa: (t.floor if event.startswith("raise") else t.min_replicas) for hpa, t in args.hpas.items()}
            namespaces = {hpa: t.namespace for hpa, t in args.hpas.items()}
            k8s.batch.v1.CronJob(
                f"{name}-hpa-{event}",
                metadata=meta(name=f"business-hours-{event}", namespace=args.job_namespace),
                spec=cronjob_spec(
                    schedule=moment.kubernetes_cron(),
                    timezone=args.timezone,
                    image=args.kubectl_image,
                    replicas=replicas,
                    namespaces=namespaces,
                ),
                opts=pulumi.ResourceOptions.merge(k8s_opts, pulumi.ResourceOptions(depends_on=bindings)),
            )
            self.event_names.append(f"hpa-{event}")
