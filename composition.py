"""Composition steps both programs take the same way (primary.py, pilot_light.py): the network, the
data layer's client group, the deploy runner, the cluster, the AWS Backup plan, Redis, the intent
classifier's work queue and the application layer in the cluster, each with its exports.

Only wiring of settings into components; the names are the primary's, so a primary's URNs do not move.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial

import pulumi
import pulumi_aws as aws

from components.apps import (
    ManagedPrometheusTarget,
    MetricsPipeline,
    MetricsPipelineArgs,
    QueueDepthSource,
    ServiceAwsAccess,
    Workloads,
    WorkloadsArgs,
    WorkloadsSettings,
)
from components.data import CacheSettings, RedisCluster, RedisClusterArgs
from components.dr import Backups, BackupsArgs, BackupSettings, selections
from components.edge import WafSettings, WebFirewall, WebFirewallArgs
from components.eks import DeployRunner, DeployRunnerArgs, DeploySettings, EksCluster, EksClusterArgs, EksSettings, NodeGroupSettings, admin_role_arn
from components.ml import ModelStore, TorchServe, TorchServeArgs
from components.network import NetworkSettings, ProductionVpc, ProductionVpcArgs, Tier
from components.platform import ComponentTags, PlatformBaseline, PlatformSettings
from components.serverless import WorkQueue, WorkQueueArgs, WorkQueueSettings, consumer_policy, queue_arn
from components.storage import snapshot_target_tags


def stack_provider(prefix: str, region: str, tags: Mapping[str, str]) -> tuple[aws.Provider, pulumi.ResourceOptions, pulumi.Output[str]]:
    """One AWS provider for the whole stack (the cost-allocation tags ride on it as default tags), the options
    that route through it, and the account it deploys to."""
    provider = aws.Provider(f"{prefix}-aws", region=region, default_tags=aws.ProviderDefaultTagsArgs(tags=dict(tags)))
    account_id = aws.get_caller_identity_output(opts=pulumi.InvokeOutputOptions(provider=provider)).account_id
    return provider, pulumi.ResourceOptions(providers=[provider]), account_id


def network(prefix: str, region: str, settings: NetworkSettings, baseline: PlatformBaseline, account_id: pulumi.Input[str], opts: pulumi.ResourceOptions) -> ProductionVpc:
    """The four-tier VPC, its subnets tagged for the cluster ``prefix`` names; exported by id, range and tier."""
    vpc = ProductionVpc(
        f"{prefix}-network",
        ProductionVpcArgs(
            region=region,
            cidr_block=settings.vpc_cidr,
            availability_zones=settings.availability_zones,
            subnets=settings.subnets,
            flow_log_kms_key_arn=baseline.keys["logs"].arn,
            account_id=account_id,
            cluster_name=prefix,
            nat_mode=settings.nat_mode,
            nat_instance=settings.nat_instance,
            nat_instance_kms_key_arn=baseline.keys["storage"].arn,
            flow_logs=settings.flow_logs,
            interface_endpoints=settings.interface_endpoints,
        ),
        opts,
    )
    pulumi.export("vpcId", vpc.vpc_id)
    pulumi.export("vpcCidr", vpc.vpc_cidr)
    pulumi.export("subnetIds", {tier.value: vpc.subnet_ids[tier] for tier in Tier})
    pulumi.export("dbSubnetGroupName", vpc.db_subnet_group_name)
    pulumi.export("cacheSubnetGroupName", vpc.cache_subnet_group_name)
    return vpc


def app_clients(prefix: str, vpc: ProductionVpc, settings: NetworkSettings, opts: pulumi.ResourceOptions) -> aws.ec2.SecurityGroup:
    """Application pods and functions that talk to the data layer carry this group (with the cluster's node
    group, the only ones PostgreSQL and Redis admit)."""
    name = f"{prefix}-app-clients"
    return aws.ec2.SecurityGroup(
        name,
        description="Application clients of the data layer: egress inside the VPC only",
        vpc_id=vpc.vpc_id,
        egress=[
            aws.ec2.SecurityGroupEgressArgs(
                description="data layer and other services inside the VPC",
                protocol="tcp",
                from_port=0,
                to_port=65535,
                cidr_blocks=[settings.vpc_cidr],
            )
        ],
        tags=ComponentTags("app-clients")(name),
        opts=opts,
    )


def deploy_runner(
    prefix: str, region: str, settings: DeploySettings, vpc: ProductionVpc, baseline: PlatformBaseline, account_id: pulumi.Input[str], opts: pulumi.ResourceOptions
) -> DeployRunner:
    """The runner `pulumi preview`/`up` run on inside the VPC (the cluster's API endpoint is private; docs/deploy.md)."""
    runner = DeployRunner(
        f"{prefix}-deploy-runner",
        DeployRunnerArgs(
            prefix=prefix,
            settings=settings,
            region=region,
            account_id=account_id,
            vpc_id=vpc.vpc_id,
            subnet_ids=vpc.subnet_ids[Tier.APP],
            logs_kms_key_arn=baseline.keys["logs"].arn,
        ),
        opts,
    )
    pulumi.export("deployRunnerProject", runner.project_name)
    pulumi.export("deployRunnerLabel", runner.runner_label)
    pulumi.export("githubConnectionArn", runner.connection_arn)
    return runner


def cluster(
    prefix: str,
    region: str,
    settings: EksSettings,
    vpc: ProductionVpc,
    baseline: PlatformBaseline,
    runner: DeployRunner,
    account_id: pulumi.Output[str],
    *,
    instance_tags: dict[str, str],
    protect: bool,
    opts: pulumi.ResourceOptions,
    node_groups: Mapping[str, NodeGroupSettings] | None = None,
    autoscaler_owns_desired_size: bool = True,
) -> EksCluster:
    """The cluster ``prefix`` names (the VPC tagged its subnets for it), its node groups (``settings``' unless
    given) and add-ons; exported by name, kubeconfig, OIDC provider and security groups."""
    eks = EksCluster(
        f"{prefix}-eks",
        EksClusterArgs(
            cluster_name=prefix,
            kubernetes_version=settings.kubernetes_version,
            region=region,
            account_id=account_id,
            vpc_id=vpc.vpc_id,
            subnet_ids=vpc.subnet_ids[Tier.APP],
            gpu_subnet_ids=vpc.subnet_ids[Tier.ML],
            secrets_kms_key_arn=baseline.keys["eks"].arn,
            logs_kms_key_arn=baseline.keys["logs"].arn,
            volume_kms_key_arn=baseline.keys["storage"].arn,
            queue_kms_key_arn=baseline.keys["alarms"].arn,
            admin_role_arns=[account_id.apply(partial(admin_role_arn, role)) for role in settings.admin_roles],
            addon_versions=settings.addons,
            node_groups=dict(node_groups if node_groups is not None else settings.node_groups),
            autoscaler=settings.autoscaler,
            cluster_autoscaler=settings.cluster_autoscaler,
            karpenter=settings.karpenter,
            # The provider's default tags, for what node groups and Karpenter launch outside Pulumi.
            instance_tags=instance_tags,
            public_access_cidrs=settings.public_access_cidrs,
            # Exactly the deploy runner reaches the private endpoint (besides the nodes).
            api_clients={"deploy-runner": runner.security_group_id},
            log_retention_days=settings.log_retention_days,
            controller_replicas=settings.controller_replicas,
            autoscaler_owns_desired_size=autoscaler_owns_desired_size,
            protect=protect,
        ),
        opts,
    )
    # Components that deploy into the cluster take cluster.k8s_provider.
    pulumi.export("clusterName", eks.cluster_name)
    pulumi.export("kubeconfig", eks.kubeconfig)
    pulumi.export("oidcProviderArn", eks.oidc_provider_arn)
    pulumi.export("nodeSecurityGroupId", eks.node_security_group_id)
    pulumi.export("clusterSecurityGroupId", eks.cluster_security_group_id)
    return eks


def backups(
    prefix: str,
    settings: BackupSettings,
    *,
    region: str,
    dr_region: str,
    dr_provider: pulumi.ProviderResource | None,
    stack_tags: Mapping[str, str],
    account_id: pulumi.Input[str],
    platform: PlatformSettings,
    opts: pulumi.ResourceOptions,
) -> Backups:
    """The AWS Backup vaults and plan over the stack's primary stores (selected by the stack's tags); exported."""
    plan = Backups(
        f"{prefix}-backup",
        BackupsArgs(
            settings=settings,
            selections=selections(project=stack_tags["Project"], environment=stack_tags["Environment"]),
            region=region,
            dr_region=dr_region,
            account_id=account_id,
            dr_provider=dr_provider,
            kms_deletion_window_days=platform.kms_deletion_window_days,
            protect=platform.protect_stateful,
        ),
        opts,
    )
    pulumi.export("backupPlanArn", plan.plan_arn)
    pulumi.export("backupVaultArns", plan.vault_arns)
    return plan


def regional_firewall(
    prefix: str,
    region: str,
    settings: WafSettings,
    baseline: PlatformBaseline,
    account_id: pulumi.Input[str],
    protected: Mapping[str, pulumi.Input[str]],
    opts: pulumi.ResourceOptions,
) -> WebFirewall:
    """The regional web ACL on the stack's load balancer (production's entry, or the pilot light's): the edge
    layer's rules, its logs under the stack's logs key."""
    return WebFirewall(
        f"{prefix}-edge-waf-regional",
        WebFirewallArgs(
            prefix=prefix,
            scope="REGIONAL",
            region=region,
            settings=settings,
            account_id=account_id,
            logs_kms_key_arn=baseline.keys["logs"].arn,
            logs_kms_key_region=region,
            protected=protected,
        ),
        opts,
    )


def cache(
    prefix: str,
    settings: CacheSettings,
    vpc: ProductionVpc,
    clients: Sequence[pulumi.Input[str]],
    baseline: PlatformBaseline,
    *,
    protect: bool,
    opts: pulumi.ResourceOptions,
) -> RedisCluster:
    """Redis in the VPC's cache subnets, admitting ``clients`` only; exported by endpoint, port and AUTH secret."""
    redis = RedisCluster(
        f"{prefix}-cache",
        RedisClusterArgs(
            cache=settings,
            vpc_id=vpc.vpc_id,
            cache_subnet_group_name=vpc.cache_subnet_group_name,
            client_security_group_ids=clients,
            kms_key_arn=baseline.keys["data"].arn,
            log_kms_key_arn=baseline.keys["logs"].arn,
            alarm_topic_arn=baseline.alarm_topic_arn,
            protect=protect,
        ),
        opts,
    )
    pulumi.export("cacheConfigurationEndpoint", redis.configuration_endpoint)
    pulumi.export("cachePort", redis.port)
    pulumi.export("cacheAuthSecretArn", redis.auth_secret_arn)
    return redis


def intent_queue(prefix: str, name: str, settings: WorkQueueSettings, baseline: PlatformBaseline, opts: pulumi.ResourceOptions) -> WorkQueue:
    """The intent classifier's work queue ``name`` with its dead-letter queue; exported by URL and ARN."""
    queue = WorkQueue(
        f"{prefix}-serverless-intent",
        WorkQueueArgs(
            queue_name=name,
            settings=settings,
            # The messages are application data: the data key, like the databases and secrets.
            kms_key_arn=baseline.keys["data"].arn,
            alarm_topic_arn=baseline.alarm_topic_arn,
        ),
        opts,
    )
    pulumi.export("intentQueueUrl", queue.queue_url)
    pulumi.export("intentQueueArn", queue.queue_arn)
    pulumi.export("intentDeadLetterQueueUrl", queue.dead_letter_queue_url)
    return queue


@dataclass
class Applications:
    """What :func:`applications` composed in the cluster."""

    metrics: MetricsPipeline
    workloads: Workloads
    torchserve: TorchServe


@dataclass(frozen=True)
class ApplicationInputs:
    """What the application layer takes from the rest of the stack besides the cluster and the settings."""

    region: str
    account_id: pulumi.Output[str]
    intent_queue_name: str
    """The intent classifier's work queue (the exporter and its HPA name it; its IRSA role drains it)."""
    models: ModelStore
    serve: bool
    """Whether TorchServe serves (``betterprompts:inference.serving``; a pilot light has no SageMaker: always)."""
    managed_prometheus: ManagedPrometheusTarget | None = None
    env: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    """Service -> extra environment (the trace collector's endpoint and sampling)."""


def applications(
    prefix: str,
    workloads: WorkloadsSettings,
    cluster: EksCluster,
    baseline: PlatformBaseline,
    inputs: ApplicationInputs,
    *,
    aws_provider: aws.Provider,
    protect: bool,
    opts: pulumi.ResourceOptions,
) -> Applications:
    """The application layer in the cluster: the metrics pipeline (the HPAs' custom and external metrics), the
    seed's services with their HPAs, and TorchServe, in that order; exported by namespace and the generator's URL."""
    metrics = MetricsPipeline(
        f"{prefix}-metrics",
        MetricsPipelineArgs(
            k8s_provider=cluster.k8s_provider,
            settings=workloads.metrics,
            # The intent classifier's queue depth, read from CloudWatch by an exporter (IRSA).
            queue_depth=QueueDepthSource(
                queue_names=[inputs.intent_queue_name],
                region=inputs.region,
                oidc_provider_arn=cluster.oidc_provider_arn,
                oidc_provider_url=cluster.oidc_provider_url,
            ),
            storage_kms_key_arn=baseline.keys["storage"].arn,
            # Every sample also goes to the AMP workspace, Managed Grafana's Prometheus data source.
            managed_prometheus=inputs.managed_prometheus,
            protect=protect,
            volume_tags=snapshot_target_tags(prefix),
            # Prometheus's volume is created by the EBS CSI add-on.
            depends_on=[*cluster.workload_dependencies, cluster.addons["aws-ebs-csi-driver"]],
        ),
        # The storage class names an AWS key; Helm releases need the cluster's add-ons first.
        pulumi.ResourceOptions(providers=[aws_provider], depends_on=[cluster]),
    )
    queue = inputs.intent_queue_name
    apps = Workloads(
        f"{prefix}-apps",
        # The ServiceMonitor CRD comes with the metrics pipeline.
        WorkloadsArgs(
            k8s_provider=cluster.k8s_provider,
            settings=workloads,
            intent_queue_name=queue,
            depends_on=[metrics, *cluster.workload_dependencies],
            env=inputs.env,
            # The intent classifier drains its work queue (created under the data key, by a fixed name).
            aws_access={
                "intent-classifier": ServiceAwsAccess(
                    description="intent-classifier: receive and delete its work queue's messages (IRSA)",
                    policy=pulumi.Output.all(inputs.account_id, baseline.keys["data"].arn).apply(
                        lambda v: consumer_policy(queue_arn(queue, region=inputs.region, account_id=v[0]), v[1])
                    ),
                )
            }
            if "intent-classifier" in workloads.services
            else {},
            oidc_provider_arn=cluster.oidc_provider_arn,
            oidc_provider_url=cluster.oidc_provider_url,
        ),
        # Pull secrets are read from Secrets Manager and the services' roles created through the stack's AWS provider.
        opts,
    )
    generator = workloads.prompt_generator
    models = inputs.models
    torchserve = TorchServe(
        f"{prefix}-torchserve",
        TorchServeArgs(
            k8s_provider=cluster.k8s_provider,
            settings=generator,
            region=inputs.region,
            model_bucket_name=models.bucket_name,
            model_bucket_arn=models.bucket_arn,
            model_prefix=models.prefix,
            model_kms_key_arn=models.kms_key_arn,
            client_namespaces=(workloads.namespace,),
            monitoring_namespace=workloads.metrics.namespace,
            scrape_interval=workloads.metrics.scrape_interval,
            scale_up_stabilization_seconds=workloads.scale_up_stabilization_seconds,
            serve=inputs.serve,
            image_registry=workloads.pull_secret_registry(generator.image),
            # GPU pods need the device plugin to advertise nvidia.com/gpu (and an EFS model store the EFS CSI driver).
            depends_on=[
                metrics,
                *cluster.workload_dependencies,
                cluster.releases["nvidia-device-plugin"],
                *([cluster.releases["aws-efs-csi-driver"]] if generator.model_store == "efs" else []),
            ],
            efs_model_store=models.efs,
            oidc_provider_arn=cluster.oidc_provider_arn,
            oidc_provider_url=cluster.oidc_provider_url,
        ),
        opts,
    )
    pulumi.export("workloadsNamespace", apps.namespace)
    pulumi.export("promptGeneratorUrl", torchserve.inference_url)
    return Applications(metrics=metrics, workloads=apps, torchserve=torchserve)
