"""EksCluster: the seed's "1. Container Orchestration - Amazon EKS", with its autoscaling and add-ons.

Built on ``pulumi-eks``: a private-first control plane across the app subnets of every
AZ with all log types, KMS-encrypted secrets, an OIDC provider for IRSA and API
(access-entry) authentication. Around it: pinned managed add-ons, one managed node group
per pool of ``node_pools.py`` on our own launch templates (IMDSv2, encrypted gp3, the
cluster's node security group, no SSH), the Cluster Autoscaler or Karpenter (never
both), spot interruption handling, and the cluster add-ons every workload relies on.

Pure calculations (specs, values, manifests, IAM documents) live in ``eks_plan``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Optional

import pulumi
import pulumi_aws as aws
import pulumi_eks as eks
import pulumi_kubernetes as k8s

from ..network import Tier
from ..platform import ComponentTags, allow, irsa_trust_policy, policy_document, release, service_assume_role_policy
from . import plan as plan
from .node_pools import POOLS
from .settings import (
    KARPENTER_POOLS,
    REQUIRED_POOLS,
    AddonVersions,
    Autoscaler,
    ClusterAutoscalerSettings,
    KarpenterSettings,
    NodeGroupSettings,
)


@dataclass
class EksClusterArgs:
    """Inputs of :class:`EksCluster`."""

    cluster_name: str
    """The EKS cluster's name; the VPC tags its subnets for it (``kubernetes.io/cluster/...``, Karpenter)."""
    kubernetes_version: str
    """Control plane and node version, such as ``1.32``."""
    region: str
    account_id: pulumi.Input[str]
    vpc_id: pulumi.Input[str]
    subnet_ids: Sequence[pulumi.Input[str]]
    """Private app subnets, one per AZ: the control plane's ENIs and the general node groups."""
    gpu_subnet_ids: Sequence[pulumi.Input[str]]
    """Private ML subnets: the GPU node groups (inference and training)."""
    secrets_kms_key_arn: pulumi.Input[str]
    """Customer-managed key for the envelope encryption of Kubernetes secrets."""
    logs_kms_key_arn: pulumi.Input[str]
    """Customer-managed key for the control-plane log group (its policy admits CloudWatch Logs)."""
    volume_kms_key_arn: pulumi.Input[str]
    """Customer-managed key for node root volumes (its policy admits the Auto Scaling service-linked role)."""
    queue_kms_key_arn: pulumi.Input[str]
    """Key for Karpenter's interruption queue; its policy must admit EventBridge (the "alarms" purpose)."""
    admin_role_arns: Sequence[pulumi.Input[str]]
    """IAM roles given cluster-admin access entries."""
    addon_versions: AddonVersions
    node_groups: dict[str, NodeGroupSettings]
    """Managed node groups by pool name (system and application always)."""
    autoscaler: Autoscaler = Autoscaler.CLUSTER_AUTOSCALER
    cluster_autoscaler: Optional[ClusterAutoscalerSettings] = field(default_factory=ClusterAutoscalerSettings)
    """Required when ``autoscaler`` is cluster-autoscaler; must be None otherwise."""
    karpenter: Optional[KarpenterSettings] = None
    """Required when ``autoscaler`` is karpenter; must be None otherwise."""
    instance_tags: dict[str, str] = field(default_factory=dict)
    """Cost-allocation tags for the instances and volumes node groups and Karpenter launch:
    the provider's default tags reach the launch templates, not what launches from them."""
    public_access_cidrs: tuple[str, ...] = ()
    """Ranges that may reach the public API endpoint; empty keeps the endpoint private only."""
    api_clients: dict[str, pulumi.Input[str]] = field(default_factory=dict)
    """Security groups (by stable key) admitted to the private API endpoint on 443: the deploy
    runner. pulumi-eks's cluster security group admits only the node group otherwise."""
    log_retention_days: int = 365
    controller_replicas: int = 2
    """Replicas of the add-on controllers (metrics-server, load balancer and EFS controllers, Karpenter)."""
    protect: bool = True
    """Deletion protection on the cluster and Pulumi ``protect`` on its log group."""
    autoscaler_owns_desired_size: bool = True
    """With the Cluster Autoscaler, Pulumi ignores the groups' desired size once they exist (the autoscaler owns
    it). False for a pilot light: its failover raises the minimum, and EKS refuses a minimum above the desired
    size Pulumi would otherwise keep sending (the state's), so the desired size follows the config."""


class EksCluster(pulumi.ComponentResource):
    """The platform's EKS cluster, its node groups, autoscaling and cluster add-ons."""

    cluster_name: pulumi.Output[str]
    kubeconfig: pulumi.Output[str]
    k8s_provider: k8s.Provider
    node_security_group_id: pulumi.Output[str]
    cluster_security_group_id: pulumi.Output[str]
    oidc_provider_arn: pulumi.Output[str]
    oidc_provider_url: pulumi.Output[str]

    def __init__(self, name: str, args: EksClusterArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:
        _check_args(args)
        super().__init__("betterprompts:eks:EksCluster", name, None, opts)
        self._name = name
        self._args = args
        self._tags = ComponentTags("eks")
        # Each IRSA role's policies: what uses the role waits for them, not only for the role.
        self._grants: dict[aws.iam.Role, list[pulumi.Resource]] = {}
        self.addons: dict[str, aws.eks.Addon] = {}
        self.releases: dict[str, k8s.helm.v3.Release] = {}
        tags = self._tags
        child = pulumi.ResourceOptions(parent=self)

        log_group = aws.cloudwatch.LogGroup(
            f"{name}-control-plane",
            name=plan.control_plane_log_group_name(args.cluster_name),
            retention_in_days=args.log_retention_days,
            kms_key_id=args.logs_kms_key_arn,
            tags=tags(f"{name}-control-plane"),
            opts=pulumi.ResourceOptions(parent=self, protect=args.protect),
        )

        # Nodes of both kinds share one least-privilege role shape; Karpenter's has its own
        # role because EKS creates the managed groups' access entry itself.
        self.node_role = self._node_role(f"{name}-node")
        karpenter_node_role = self._node_role(f"{name}-karpenter-node") if args.autoscaler is Autoscaler.KARPENTER else None

        access_entries: dict[str, eks.AccessEntryArgs] = {
            f"admin-{index}": eks.AccessEntryArgs(
                principal_arn=arn,
                access_policies={
                    "cluster-admin": eks.AccessPolicyAssociationArgs(
                        policy_arn=plan.CLUSTER_ADMIN_POLICY,
                        access_scope=aws.eks.AccessPolicyAssociationAccessScopeArgs(type="cluster"),
                    )
                },
            )
            for index, arn in enumerate(args.admin_role_arns)
        }
        if karpenter_node_role is not None:
            access_entries["karpenter-node"] = eks.AccessEntryArgs(principal_arn=karpenter_node_role.arn, type=eks.AccessEntryType.EC2_LINUX)

        self.cluster = eks.Cluster(
            name,
            name=args.cluster_name,
            version=args.kubernetes_version,
            vpc_id=args.vpc_id,
            private_subnet_ids=list(args.subnet_ids),
            endpoint_private_access=True,
            endpoint_public_access=bool(args.public_access_cidrs),
            public_access_cidrs=list(args.public_access_cidrs) or None,
            enabled_cluster_log_types=list(plan.CONTROL_PLANE_LOG_TYPES),
            encryption_config_key_arn=args.secrets_kms_key_arn,
            create_oidc_provider=True,
            authentication_mode=eks.AuthenticationMode.API,
            access_entries=access_entries,
            # Node groups are ours (below); pulumi-eks keeps the cluster and node security groups.
            skip_default_node_group=True,
            # Add-ons are ours too, pinned (below); the default VPC CNI bootstraps until ours takes over.
            use_default_vpc_cni=True,
            coredns_addon_options=eks.CoreDnsAddonOptionsArgs(enabled=False),
            kube_proxy_addon_options=eks.KubeProxyAddonOptionsArgs(enabled=False),
            # Standard support: extended support costs six times as much per cluster hour.
            upgrade_policy=aws.eks.ClusterUpgradePolicyArgs(support_type="STANDARD"),
            deletion_protection=args.protect,
            tags=tags(args.cluster_name),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[log_group]),
        )

        # The private endpoint answers whatever its security group admits: the nodes (pulumi-eks's
        # rule) and exactly the security groups named here, on 443.
        for client, group_id in args.api_clients.items():
            aws.vpc.SecurityGroupIngressRule(
                f"{name}-api-from-{client}",
                security_group_id=self.cluster.cluster_security_group_id,
                referenced_security_group_id=group_id,
                ip_protocol="tcp",
                from_port=plan.API_PORT,
                to_port=plan.API_PORT,
                description=f"Kubernetes API from {client}",
                tags=tags(f"{name}-api-from-{client}"),
                opts=pulumi.ResourceOptions(parent=self),
            )

        # Resolves once the cluster exists, so whatever takes it waits for the cluster.
        self.cluster_name = self.cluster.oidc_provider_arn.apply(lambda _: args.cluster_name)
        self.node_security_group_id = self.cluster.node_security_group_id
        self.cluster_security_group_id = self.cluster.cluster_security_group_id
        self.oidc_provider_arn = self.cluster.oidc_provider_arn
        self.oidc_provider_url = self.cluster.oidc_issuer.apply(lambda issuer: issuer.removeprefix("https://"))
        self.kubeconfig = pulumi.Output.secret(self.cluster.kubeconfig_json)
        self.k8s_provider = k8s.Provider(
            f"{name}-k8s",
            kubeconfig=self.kubeconfig,
            enable_server_side_apply=True,
            opts=child,
        )

        # --- managed add-ons: network first, then the nodes, then what needs nodes ---
        cni = self._addon(
            "vpc-cni",
            args.addon_versions.vpc_cni,
            role=self.irsa_role("vpc-cni", plan.ADDON_NAMESPACE, plan.VPC_CNI_SERVICE_ACCOUNT, managed_policies=[plan.VPC_CNI_MANAGED_POLICY]),
            configuration=plan.VPC_CNI_CONFIGURATION,
        )
        kube_proxy = self._addon("kube-proxy", args.addon_versions.kube_proxy)

        self.node_groups: dict[str, aws.eks.NodeGroup] = {}
        for pool_name, settings in args.node_groups.items():
            self.node_groups[pool_name] = self._node_group(plan.node_group_spec(pool_name, settings), depends_on=[cni, kube_proxy])
        nodes: list[pulumi.Resource] = list(self.node_groups.values())
        # Each managed group's one Auto Scaling group: the dimension of its instances' EC2 metrics and
        # the name EC2 Auto Scaling's events carry (the KPI dashboard reads both).
        self.autoscaling_group_names: dict[str, pulumi.Output[str]] = {
            pool: group.resources.apply(_first_asg_name) for pool, group in self.node_groups.items()
        }

        core_dns = self._addon("coredns", args.addon_versions.core_dns, depends_on=nodes)
        ebs_role = self.irsa_role(
            "ebs-csi",
            plan.ADDON_NAMESPACE,
            plan.EBS_CSI_SERVICE_ACCOUNT,
            managed_policies=[plan.EBS_CSI_MANAGED_POLICY],
            inline_policy=pulumi.Output.from_input(args.volume_kms_key_arn).apply(lambda key: plan.ebs_csi_kms_policy(key, args.region)),
        )
        self._addon("aws-ebs-csi-driver", args.addon_versions.ebs_csi_driver, role=ebs_role, depends_on=nodes)
        # What any pod needs: nodes, pod networking (CNI), Services (kube-proxy) and DNS.
        ready: list[pulumi.Resource] = nodes + [cni, kube_proxy, core_dns]
        self.workload_dependencies: list[pulumi.Resource] = list(ready)
        """Resources anything deployed into the cluster waits for (node groups, VPC CNI, kube-proxy, CoreDNS)."""

        # --- autoscaling: exactly one controller owns the elastic capacity ---
        if args.autoscaler is Autoscaler.CLUSTER_AUTOSCALER:
            assert args.cluster_autoscaler is not None
            self._cluster_autoscaler(args.cluster_autoscaler, ready)
        else:
            assert args.karpenter is not None and karpenter_node_role is not None
            self._karpenter(args.karpenter, karpenter_node_role, ready)

        # --- cluster add-ons every workload relies on ---
        self._cluster_addons(ready)

        self.register_outputs(
            {
                "cluster_name": self.cluster_name,
                "kubeconfig": self.kubeconfig,
                "node_security_group_id": self.node_security_group_id,
                "cluster_security_group_id": self.cluster_security_group_id,
                "oidc_provider_arn": self.oidc_provider_arn,
                "oidc_provider_url": self.oidc_provider_url,
                "node_role_arn": self.node_role.arn,
            }
        )

    # --- building blocks -------------------------------------------------------------

    def _node_role(self, role_name: str) -> aws.iam.Role:
        role = aws.iam.Role(
            role_name,
            description=f"{role_name}: EKS worker nodes (join the cluster, pull images)",
            assume_role_policy=service_assume_role_policy("ec2.amazonaws.com"),
            tags=self._tags(role_name),
            opts=pulumi.ResourceOptions(parent=self),
        )
        for arn in plan.NODE_MANAGED_POLICIES:
            aws.iam.RolePolicyAttachment(
                f"{role_name}-{arn.rsplit('/', 1)[-1]}",
                role=role.name,
                policy_arn=arn,
                opts=pulumi.ResourceOptions(parent=role),
            )
        return role

    def irsa_role(
        self,
        key: str,
        namespace: str,
        service_account: str,
        *,
        managed_policies: Sequence[str] = (),
        inline_policy: Optional[pulumi.Input[str]] = None,
        former_key: Optional[str] = None,
    ) -> aws.iam.Role:
        """An IAM role only ``namespace/service_account`` of this cluster can assume (IRSA).

        Its auto-name is ``<cluster component>-<key>-<7 random>``: IAM allows 64 characters, so
        ``key`` stays short. ``former_key`` aliases the role and its policies to an earlier key.
        """
        role_name = f"{self._name}-{key}"
        renamed = [pulumi.Alias(name=f"{self._name}-{former_key}")] if former_key else None
        role = aws.iam.Role(
            role_name,
            description=f"{role_name}: IRSA for {namespace}/{service_account}",
            assume_role_policy=pulumi.Output.all(self.oidc_provider_arn, self.oidc_provider_url).apply(
                lambda v: irsa_trust_policy(v[0], v[1], namespace, service_account)
            ),
            tags=self._tags(role_name),
            opts=pulumi.ResourceOptions(parent=self, aliases=renamed),
        )
        grants: list[pulumi.Resource] = [
            aws.iam.RolePolicyAttachment(
                f"{role_name}-{arn.rsplit('/', 1)[-1]}",
                role=role.name,
                policy_arn=arn,
                opts=pulumi.ResourceOptions(parent=role),
            )
            for arn in managed_policies
        ]
        if inline_policy is not None:
            grants.append(
                aws.iam.RolePolicy(role_name, role=role.id, policy=inline_policy, opts=pulumi.ResourceOptions(parent=role, aliases=renamed))
            )
        self._grants[role] = grants
        return role

    def granted(self, role: aws.iam.Role) -> list[pulumi.Resource]:
        """The role and its policies: a pod using the role before its policies exist fails its first calls."""
        return [role, *self._grants.get(role, [])]

    def _addon(
        self,
        addon_name: str,
        version: str,
        *,
        role: Optional[aws.iam.Role] = None,
        configuration: Optional[dict[str, Any]] = None,
        depends_on: Optional[list[pulumi.Resource]] = None,
    ) -> aws.eks.Addon:
        resource_name = f"{self._name}-{addon_name}"
        waits = list(depends_on or []) + (self.granted(role) if role is not None else [])
        self.addons[addon_name] = aws.eks.Addon(
            resource_name,
            cluster_name=self.cluster_name,
            addon_name=addon_name,
            addon_version=version,
            service_account_role_arn=role.arn if role is not None else None,
            configuration_values=json.dumps(configuration, sort_keys=True) if configuration else None,
            # Take over the self-managed copy EKS bootstraps, and keep ours authoritative.
            resolve_conflicts_on_create="OVERWRITE",
            resolve_conflicts_on_update="OVERWRITE",
            tags=self._tags(resource_name),
            opts=pulumi.ResourceOptions(parent=self.cluster, depends_on=waits),
        )
        return self.addons[addon_name]

    def _node_group(self, spec: plan.NodeGroupSpec, *, depends_on: list[pulumi.Resource]) -> aws.eks.NodeGroup:
        args = self._args
        pool = spec.pool.name
        group_name = f"{self._name}-{pool}"
        template = aws.ec2.LaunchTemplate(
            group_name,
            description=f"{group_name}: IMDSv2, encrypted gp3 root, node security group, no SSH key",
            update_default_version=True,
            vpc_security_group_ids=[self.node_security_group_id],
            metadata_options=aws.ec2.LaunchTemplateMetadataOptionsArgs(
                http_endpoint="enabled",
                http_tokens="required",
                http_put_response_hop_limit=plan.METADATA_HOP_LIMIT,
            ),
            block_device_mappings=[
                aws.ec2.LaunchTemplateBlockDeviceMappingArgs(
                    device_name=plan.ROOT_DEVICE,
                    ebs=aws.ec2.LaunchTemplateBlockDeviceMappingEbsArgs(
                        volume_size=spec.settings.disk_size_gib,
                        volume_type="gp3",
                        encrypted="true",
                        kms_key_id=args.volume_kms_key_arn,
                        delete_on_termination="true",
                    ),
                )
            ],
            # Instances and volumes the group launches carry the component tags too
            # (cost allocation tags arrive on them from the ASG's launch).
            tag_specifications=[
                aws.ec2.LaunchTemplateTagSpecificationArgs(
                    resource_type=kind, tags={**args.instance_tags, **self._tags(group_name, {"NodePool": pool})}
                )
                for kind in ("instance", "volume", "network-interface")
            ],
            tags=self._tags(group_name, {"NodePool": pool}),
            opts=pulumi.ResourceOptions(parent=self),
        )
        subnets = args.gpu_subnet_ids if spec.subnet_tier is Tier.ML else args.subnet_ids
        autoscaled = args.autoscaler is Autoscaler.CLUSTER_AUTOSCALER
        group = aws.eks.NodeGroup(
            group_name,
            cluster_name=self.cluster_name,
            node_group_name_prefix=plan.node_group_name_prefix(args.cluster_name, pool),
            node_role_arn=self.node_role.arn,
            subnet_ids=list(subnets),
            version=args.kubernetes_version,
            ami_type=spec.ami_type,
            capacity_type=spec.capacity_type,
            instance_types=list(spec.settings.instance_types),
            scaling_config=aws.eks.NodeGroupScalingConfigArgs(
                min_size=spec.settings.min_size,
                max_size=spec.settings.max_size,
                desired_size=spec.settings.desired_size,
            ),
            update_config=aws.eks.NodeGroupUpdateConfigArgs(max_unavailable_percentage=33),
            launch_template=aws.eks.NodeGroupLaunchTemplateArgs(id=template.id, version=template.latest_version.apply(str)),
            labels=spec.labels,
            taints=[aws.eks.NodeGroupTaintArgs(key=t["key"], value=t["value"], effect=t["effect"]) for t in spec.eks_taints()],
            tags=self._tags(group_name, {"NodePool": pool}),
            opts=pulumi.ResourceOptions(
                parent=self,
                depends_on=depends_on,
                # The autoscaler owns the node count once the group exists.
                ignore_changes=["scalingConfig.desiredSize"] if autoscaled and args.autoscaler_owns_desired_size else None,
            ),
        )
        if autoscaled and args.cluster_autoscaler is not None:
            asg_name = group.resources.apply(_first_asg_name)
            for tag_key, tag_value in plan.node_template_tags(spec, args.cluster_autoscaler).items():
                aws.autoscaling.Tag(
                    f"{group_name}-{tag_key.removeprefix('k8s.io/cluster-autoscaler/node-template/').replace('/', '-')}",
                    autoscaling_group_name=asg_name,
                    tag=aws.autoscaling.TagTagArgs(key=tag_key, value=tag_value, propagate_at_launch=False),
                    opts=pulumi.ResourceOptions(parent=group),
                )
        return group

    def _release(
        self,
        key: str,
        values: dict[str, Any],
        depends_on: list[pulumi.Resource],
        namespace: str = plan.ADDON_NAMESPACE,
        role: Optional[aws.iam.Role] = None,
    ) -> k8s.helm.v3.Release:
        self.releases[key] = release(
            f"{self._name}-{key}",
            plan.CHARTS[key],
            namespace=namespace,
            values=values,
            parent=self,
            provider=self.k8s_provider,
            timeout_seconds=plan.RELEASE_TIMEOUT_SECONDS[key],
            create_namespace=False,
            depends_on=depends_on + (self.granted(role) if role is not None else []),
        )
        return self.releases[key]

    def _cluster_autoscaler(self, settings: ClusterAutoscalerSettings, ready: list[pulumi.Resource]) -> None:
        args = self._args
        policy = pulumi.Output.from_input(args.account_id).apply(
            lambda account: plan.cluster_autoscaler_policy(args.cluster_name, args.region, account)
        )
        role = self.irsa_role("cluster-autoscaler", plan.CA_NAMESPACE, plan.CA_SERVICE_ACCOUNT, inline_policy=policy)
        self._release(
            "cluster-autoscaler",
            plan.cluster_autoscaler_values(
                cluster_name=args.cluster_name,
                region=args.region,
                role_arn=role.arn,
                settings=settings,
                pools=list(args.node_groups),
            ),
            ready,
            namespace=plan.CA_NAMESPACE,
            role=role,
        )
        if any(POOLS[pool].spot for pool in args.node_groups):
            self._release("aws-node-termination-handler", plan.node_termination_handler_values(), ready)

    def _karpenter(self, settings: KarpenterSettings, node_role: aws.iam.Role, ready: list[pulumi.Resource]) -> None:
        args = self._args
        name = self._name
        queue_name = f"{name}-karpenter-interruptions"
        # Encrypted with the notifications key, whose policy admits EventBridge (the sender) by the
        # queue's encryption context: EventBridge carries no aws:Source* keys to KMS.
        queue = aws.sqs.Queue(
            queue_name,
            message_retention_seconds=300,
            kms_master_key_id=args.queue_kms_key_arn,
            kms_data_key_reuse_period_seconds=300,
            tags=self._tags(queue_name),
            opts=pulumi.ResourceOptions(parent=self),
        )
        rules: dict[str, aws.cloudwatch.EventRule] = {}
        # Rules shortened to fit EventBridge's 64 characters keep their identity (and their targets').
        renames: dict[str, Optional[list[pulumi.Alias]]] = {}
        for rule in plan.INTERRUPTION_RULES:
            rule_name = f"{name}-karpenter-{rule.key}"
            renamed = [pulumi.Alias(name=f"{name}-karpenter-{rule.former_key}")] if rule.former_key else None
            renames[rule_name] = renamed
            rules[rule_name] = aws.cloudwatch.EventRule(
                rule_name,
                description=f"{rule.description} to Karpenter's interruption queue",
                event_pattern=json.dumps(rule.event_pattern()),
                tags=self._tags(rule_name),
                opts=pulumi.ResourceOptions(parent=queue, aliases=renamed),
            )
        # Only these rules may send (aws:SourceArn): the queue policy names them, so it follows them.
        queue_policy = aws.sqs.QueuePolicy(
            queue_name,
            queue_url=queue.url,
            policy=pulumi.Output.all(queue.arn, *[r.arn for r in rules.values()]).apply(
                lambda arns: plan.interruption_queue_policy(arns[0], arns[1:])
            ),
            opts=pulumi.ResourceOptions(parent=queue),
        )
        for rule_name, event_rule in rules.items():
            aws.cloudwatch.EventTarget(
                rule_name,
                rule=event_rule.name,
                arn=queue.arn,
                opts=pulumi.ResourceOptions(parent=event_rule, depends_on=[queue_policy], aliases=renames[rule_name]),
            )

        policy = pulumi.Output.all(
            args.account_id, node_role.arn, queue.arn, args.volume_kms_key_arn, args.queue_kms_key_arn
        ).apply(
            lambda v: plan.karpenter_controller_policy(
                cluster_name=args.cluster_name,
                region=args.region,
                account_id=v[0],
                node_role_arn=v[1],
                queue_arn=v[2],
                volume_key_arn=v[3],
                queue_key_arn=v[4],
            )
        )
        role = self.irsa_role("karpenter", plan.KARPENTER_NAMESPACE, plan.KARPENTER_SERVICE_ACCOUNT, inline_policy=policy)
        crds = self._release("karpenter-crd", {}, ready, namespace=plan.KARPENTER_NAMESPACE)
        controller = self._release(
            "karpenter",
            plan.karpenter_values(
                cluster_name=args.cluster_name, queue_name=queue.name, role_arn=role.arn, replicas=args.controller_replicas
            ),
            [crds, *ready],
            namespace=plan.KARPENTER_NAMESPACE,
            role=role,
        )
        manifest_opts = pulumi.ResourceOptions(parent=self, provider=self.k8s_provider, depends_on=[controller])
        gpu_disk = args.node_groups["gpu"].disk_size_gib if "gpu" in args.node_groups else 100
        classes = {
            "general": (args.cluster_name, args.node_groups["application"].disk_size_gib),
            "gpu": (f"{args.cluster_name}-gpu", gpu_disk),
        }
        for class_name, (discovery, disk) in classes.items():
            manifest = plan.ec2_node_class(
                name=class_name,
                node_role_name=node_role.name,
                discovery_tag=discovery,
                security_group_id=self.node_security_group_id,
                volume_key_arn=args.volume_kms_key_arn,
                disk_size_gib=disk,
                tags={**args.instance_tags, **self._tags(f"{name}-karpenter-{class_name}")},
            )
            k8s.apiextensions.CustomResource(
                f"{name}-nodeclass-{class_name}",
                api_version=manifest["apiVersion"],
                kind=manifest["kind"],
                metadata=manifest["metadata"],
                spec=manifest["spec"],
                opts=manifest_opts,
            )
        for manifest in plan.karpenter_node_pools(settings, general_class="general", gpu_class="gpu"):
            k8s.apiextensions.CustomResource(
                f"{name}-nodepool-{manifest['metadata']['name']}",
                api_version=manifest["apiVersion"],
                kind=manifest["kind"],
                metadata=manifest["metadata"],
                spec=manifest["spec"],
                opts=manifest_opts,
            )

    def _cluster_addons(self, ready: list[pulumi.Resource]) -> None:
        args = self._args
        replicas = args.controller_replicas
        self._release("metrics-server", plan.metrics_server_values(replicas), ready)
        self._release("nvidia-device-plugin", plan.nvidia_device_plugin_values(), ready)
        # "aws-load-balancer-controller" made production's role name 57 + 8 characters (IAM: 64).
        lbc_role = self.irsa_role(
            "lb-controller",
            plan.ADDON_NAMESPACE,
            plan.LBC_SERVICE_ACCOUNT,
            inline_policy=plan.load_balancer_controller_policy(),
            former_key="aws-load-balancer-controller",
        )
        self._release(
            "aws-load-balancer-controller",
            plan.load_balancer_controller_values(
                cluster_name=args.cluster_name, region=args.region, vpc_id=args.vpc_id, role_arn=lbc_role.arn, replicas=replicas
            ),
            ready,
            role=lbc_role,
        )
        efs_role = self.irsa_role(
            "efs-csi", plan.ADDON_NAMESPACE, plan.EFS_CSI_SERVICE_ACCOUNT, managed_policies=[plan.EFS_CSI_MANAGED_POLICY]
        )
        self._release("aws-efs-csi-driver", plan.efs_csi_values(role_arn=efs_role.arn, replicas=replicas), ready, role=efs_role)


def _first_asg_name(resources: Sequence[aws.eks.outputs.NodeGroupResource]) -> str:
    """A managed node group has exactly one Auto Scaling group."""
    groups = resources[0].autoscaling_groups or []
    return groups[0].name or ""


def _check_args(args: EksClusterArgs) -> None:
    """Reject inconsistent inputs before any child exists."""
    missing = [pool for pool in REQUIRED_POOLS if pool not in args.node_groups]
    if missing:
        raise ValueError(f"EksCluster needs node groups for {', '.join(missing)}")
    if not args.subnet_ids:
        raise ValueError("EksCluster needs the private app subnets (one per AZ)")
    if any(POOLS[pool].gpu for pool in args.node_groups) and not args.gpu_subnet_ids:
        raise ValueError("EksCluster needs the ML subnets for its GPU node groups")
    if not args.admin_role_arns:
        raise ValueError("EksCluster needs at least one admin role: with API authentication nobody else gets in")
    if not args.public_access_cidrs and not args.api_clients:
        raise ValueError(
            "EksCluster with a private-only endpoint needs an API client security group (the deploy runner): nothing could deploy into it"
        )
    if "0.0.0.0/0" in args.public_access_cidrs:
        raise ValueError("EksCluster will not open its API endpoint to the whole internet")
    if args.autoscaler is Autoscaler.CLUSTER_AUTOSCALER:
        if args.cluster_autoscaler is None or args.karpenter is not None:
            raise ValueError("EksCluster with the Cluster Autoscaler takes cluster_autoscaler settings and no karpenter settings")
    else:
        if args.karpenter is None or args.cluster_autoscaler is not None:
            raise ValueError("EksCluster with Karpenter takes karpenter settings and no cluster_autoscaler settings")
        both = sorted(set(KARPENTER_POOLS) & set(args.node_groups))
        if both:
            raise ValueError(
                f"EksCluster: Karpenter provisions the {', '.join(both)} pool(s); a managed node group for them "
                "would put two controllers on the same nodes"
            )
