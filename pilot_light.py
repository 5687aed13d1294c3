"""The primary's pilot light in the DR Region (a stack with ``betterprompts:pilotLight``; docs/dr.md).

Composes what a failover needs ready in us-west-2 and nothing of the primary's Region: the
platform baseline (keys, alarm topic, default tags), the network, the deploy runner inside it and
the cluster definition. ``pilotLight.active`` is the failover switch: false keeps the node groups
at their standby sizes (``standby_node_groups``), true brings them to ``betterprompts:eks.nodeGroups``.
What the primary feeds continuously into this Region (vault copies, replicated backups, EFS, S3 and
ECR replicas) is the primary stack's (components/dr/), configured on the source side.

Nothing here decides a size, a count or a toggle: those come from ``Pulumi.<stack>.yaml``.
"""

import pulumi

import composition
from components.apps import HEALTH_PATH, SERVICE_PORT, AppParameters, AppParametersArgs
from components.cost import CostControls, CostControlsArgs
from components.data import RedisCluster
from components.dr import (
    DATABASE_NAME_OUTPUT,
    MASTER_SECRET_REPLICA_OUTPUT,
    VELERO_BUCKET_KEY,
    VELERO_NAMESPACE,
    VeleroRestore,
    VeleroRestoreArgs,
    ReadReplica,
    ReadReplicaArgs,
    primary_database_arn,
    primary_models_replica,
    primary_origin_header_value,
    primary_parameter_path,
    primary_replica,
    primary_replica_key,
    standby_node_groups,
)
from components.edge import ACCESS_LOG_PREFIX, ApiLoadBalancer, ApiLoadBalancerArgs, RoutedService
from components.eks import Autoscaler, EksCluster
from components.network import Tier
from components.platform import (
    PlatformBaseline,
    PlatformBaselineArgs,
    ServiceQuotaRequests,
    ServiceQuotaRequestsArgs,
    stack_prefix,
)
from components.serverless import intent_queue_name, queue_url
from components.settings import load_pilot_light_settings, read_runtime_config
from components.storage import BucketPurpose, SecureBucket, SecureBucketArgs, bucket_arn, bucket_name, lifecycle_rules, load_balancer_log_statements

# --- platform: settings, the tagged provider (the stack's Region is the DR Region), keys, alarm topic ---
settings = load_pilot_light_settings(read_runtime_config(), project=pulumi.get_project(), stack=pulumi.get_stack())
prefix = stack_prefix(settings.project, settings.stack)
platform = settings.platform
pilot = settings.pilot_light

stack_tags = platform.default_tags(settings.project, settings.stack)
# The only AWS provider: nothing here calls the primary's Region, so a failover runs while it is down.
aws_provider, aws_opts, account_id = composition.stack_provider(prefix, settings.region, stack_tags)
eks_settings = settings.eks
cluster_exists = pilot.cluster_exists

baseline = PlatformBaseline(
    prefix,
    PlatformBaselineArgs(
        region=settings.region,
        account_id=account_id,
        kms_deletion_window_days=platform.kms_deletion_window_days,
        alarm_emails=platform.alarm_emails,
        alarm_destination_opt_out=platform.alarm_destination_opt_out or None,
        eventbridge_to_queues=cluster_exists and eks_settings.autoscaler is Autoscaler.KARPENTER,
        ebs_through_ec2=cluster_exists and eks_settings.autoscaler is Autoscaler.KARPENTER,
        create_autoscaling_service_linked_role=platform.create_autoscaling_service_linked_role,
        protect=platform.protect_stateful,
    ),
    aws_opts,
)
pulumi.export("region", settings.region)
pulumi.export("pilotLight", {"primaryStack": pilot.primary_stack, "primaryRegion": pilot.primary_region, "active": pilot.active, "cluster": pilot.cluster.value})
pulumi.export("kmsKeyArns", baseline.key_arns)
pulumi.export("alarmTopicArn", baseline.alarm_topic_arn)

# --- network: the four-tier VPC in the DR Region (its own range; the NAT posture from config) ----
network = settings.network
vpc = composition.network(prefix, settings.region, network, baseline, account_id, aws_opts)
# The data layer's clients (pods, functions) carry this group, as in the primary; the replica admits it.
app_clients = composition.app_clients(prefix, vpc, network, aws_opts)
pulumi.export("appClientsSecurityGroupId", app_clients.id)

# --- eks: the runner a failover's `pulumi up` runs on (the API endpoint is private), the cluster ---
runner = composition.deploy_runner(prefix, settings.region, settings.deploy, vpc, baseline, account_id, aws_opts)

# In standby the system pool runs one node (the add-ons need it) and every other pool none; active, the config's sizes.
node_groups = standby_node_groups(eks_settings.node_groups, active=pilot.active)
cluster: EksCluster | None = None
if cluster_exists:
    cluster = composition.cluster(
        prefix,
        settings.region,
        eks_settings,
        vpc,
        baseline,
        runner,
        account_id,
        node_groups=node_groups,
        instance_tags=stack_tags,
        protect=platform.protect_stateful,
        opts=aws_opts,
        # The failover raises the minimum: the desired size must follow it (EKS refuses min > desired).
        autoscaler_owns_desired_size=False,
    )
pulumi.export(
    "nodeGroupSizes",
    {pool: {"min": g.min_size, "desired": g.desired_size, "max": g.max_size} for pool, g in node_groups.items()} if cluster_exists else {},
)

# The primary's outputs through the state backend (one reference: a second of the name would clash).
replica_settings = pilot.replica
# The application layer runs only after a failover (pilotLight.active): in standby no node could take its pods.
workloads = settings.workloads if pilot.active and cluster is not None else None
restores_velero = pilot.velero_restore and cluster is not None
reads_primary = (
    (replica_settings is not None and not replica_settings.promoted) or pilot.entry is not None or workloads is not None or restores_velero
)
primary_stack = pulumi.StackReference(pilot.primary_stack) if reads_primary else None

# --- dr: Velero in the cluster, restoring from the replica of production's backups (pilotLight.veleroRestore) ---
# Standing by already: a failover's restore starts at once, and the location's sync shows the backups arriving.
if restores_velero and cluster is not None and primary_stack is not None:
    VeleroRestore(
        f"{prefix}-velero",
        VeleroRestoreArgs(
            namespace=VELERO_NAMESPACE,
            region=settings.region,
            bucket_name=primary_replica(primary_stack, VELERO_BUCKET_KEY, needed_by="so the pilot light's Velero has backups to restore"),
            kms_key_arn=primary_replica_key(primary_stack),
            k8s_provider=cluster.k8s_provider,
            oidc_provider_arn=cluster.oidc_provider_arn,
            oidc_provider_url=cluster.oidc_provider_url,
            depends_on=cluster.workload_dependencies,
        ),
        aws_opts,
    )

# --- apps, after a failover: Redis, the intent classifier's queue, and the cluster's application layer as the
# primary's (metrics, the services with their HPAs, TorchServe on the models replica); docs/dr.md, "Application layer".
applications: composition.Applications | None = None
cache: RedisCluster | None = None
if workloads is not None and cluster is not None and primary_stack is not None:
    assert settings.cache is not None and settings.intent_queue is not None
    # Protected as production's while it serves (the pack judges this stack as production); the failback lifts the
    # protection of exactly these resources before `active: false` deletes them (docs/dr.md, "Failback (pilot light)").
    cache = composition.cache(
        prefix, settings.cache, vpc, [app_clients.id, cluster.node_security_group_id], baseline, protect=platform.protect_stateful, opts=aws_opts
    )
    intent_queue = intent_queue_name(prefix)
    composition.intent_queue(prefix, intent_queue, settings.intent_queue, baseline, aws_opts)
    models = primary_models_replica(primary_stack)
    applications = composition.applications(
        prefix,
        workloads,
        cluster,
        baseline,
        composition.ApplicationInputs(
            region=settings.region,
            account_id=account_id,
            intent_queue_name=intent_queue,
            # S3 replicates the primary's models bucket here (its stack's replica, under its key in this Region).
            models=models,
            # No SageMaker endpoint stands in here: TorchServe serves the prompt generator.
            serve=True,
        ),
        aws_provider=aws_provider,
        protect=platform.protect_stateful,
        opts=aws_opts,
    )

# --- edge: the HTTPS entry (pilotLight.entry + betterprompts:edge): production's origin name fails over to it ---
edge = settings.edge
if pilot.entry is not None and edge is not None and primary_stack is not None:
    # ALB log delivery writes only to an SSE-S3 bucket in the load balancer's Region: the entry's own destination.
    log_bucket_name = account_id.apply(lambda a: bucket_name(prefix, BucketPurpose.ACCESS_LOGS, a, settings.region))
    entry_logs = SecureBucket(
        f"{prefix}-entry-{BucketPurpose.ACCESS_LOGS.value}",
        SecureBucketArgs(
            kms_key_arn=None,
            bucket_name=log_bucket_name,
            access_log_destination=True,
            lifecycle_rules=lifecycle_rules(pilot.entry.access_logs),
            policy_statements=pulumi.Output.all(log_bucket_name, account_id).apply(
                lambda v: load_balancer_log_statements(bucket_arn(v[0]), ACCESS_LOG_PREFIX, v[1], settings.region)
            ),
            protect=platform.protect_stateful,
        ),
        aws_opts,
    )
    # In standby no pods run here: the target groups exist without targets (no TargetGroupBindings), so Route 53
    # finds the entry unhealthy and keeps answering with the primary; after a failover the services bind them.
    entry = ApiLoadBalancer(
        f"{prefix}-edge",
        ApiLoadBalancerArgs(
            prefix=prefix,
            settings=edge,
            vpc_id=vpc.vpc_id,
            public_subnet_ids=vpc.subnet_ids[Tier.PUBLIC],
            node_security_group_id=cluster.node_security_group_id if cluster is not None else None,
            services={
                service: RoutedService(container_port=port, service_port=SERVICE_PORT, health_check_path=HEALTH_PATH)
                for service, port in pilot.entry.service_ports.items()
            },
            # Once the services run here, TargetGroupBindings register their pods on the target groups.
            namespace=applications.workloads.namespace if applications is not None else None,
            k8s_provider=cluster.k8s_provider if applications is not None and cluster is not None else None,
            depends_on=[cluster.releases["aws-load-balancer-controller"], applications.workloads] if applications is not None and cluster is not None else [],
            access_log_bucket=entry_logs.bucket_name,
            access_log_ready=[entry_logs.policy],
            alarm_topic_arn=baseline.alarm_topic_arn,
            protect=platform.protect_stateful,
            # CloudFront sends production's value to whichever load balancer the origin name resolves to.
            origin_header_value=primary_origin_header_value(primary_stack),
            # Production owns the origin name's records (its failover pair, the certificate's validation CNAME).
            owns_origin_name=False,
        ),
        aws_opts,
    )
    entry_waf = composition.regional_firewall(prefix, settings.region, edge.waf, baseline, account_id, {"api-alb": entry.arn}, aws_opts)
    # What production's betterprompts:dr.failover names (dnsName, hostedZoneId).
    pulumi.export("apiLoadBalancerDnsName", entry.dns_name)
    pulumi.export("apiLoadBalancerZoneId", entry.zone_id)
    pulumi.export("apiOriginName", entry.origin_name)
    pulumi.export("apiTargetGroupArns", entry.target_group_arns)
    pulumi.export("regionalWebAclArn", entry_waf.web_acl_arn)

# --- data: the cross-Region read replica of the primary's database (betterprompts:pilotLight.replica) ---
replica: ReadReplica | None = None
if replica_settings is not None:
    replica = ReadReplica(
        f"{prefix}-replica",
        ReadReplicaArgs(
            settings=replica_settings,
            region=settings.region,
            # The primary's ARN through the state backend; once promoted the replica names no source (and reads nothing).
            source_arn=None if primary_stack is None or replica_settings.promoted else primary_database_arn(primary_stack),
            vpc_id=vpc.vpc_id,
            db_subnet_group_name=vpc.db_subnet_group_name,
            # As the primary's: the data layer's clients and the cluster's nodes.
            client_security_group_ids=[app_clients.id] + ([cluster.node_security_group_id] if cluster is not None else []),
            kms_key_arn=baseline.keys["data"].arn,
            log_kms_key_arn=baseline.keys["logs"].arn,
            alarm_topic_arn=baseline.alarm_topic_arn,
            account_id=account_id,
        ),
        aws_opts,
    )
    pulumi.export("databaseAddress", replica.address)
    pulumi.export("databaseEndpoint", replica.endpoint)
    pulumi.export("databaseArn", replica.arn)
    pulumi.export("databasePromoted", replica_settings.promoted)
    # The group that admits the clients: a restore from the replicated backups (docs/dr.md) reuses it.
    pulumi.export("databaseSecurityGroupId", replica.security_group_id)

# --- apps, after a failover: the endpoints the services read, under the primary's parameter path in this Region ---
# Parameter Store is regional: the same image reads the same path wherever it runs and finds this Region's values.
if applications is not None and replica is not None and primary_stack is not None and cache is not None:
    parameters = AppParameters(
        f"{prefix}-parameters",
        AppParametersArgs(
            path=primary_parameter_path(pilot.primary_stack),
            values={
                "database/address": replica.address,
                "database/port": replica.instance.port.apply(str),
                "database/name": primary_stack.require_output(DATABASE_NAME_OUTPUT).apply(str),
                # The master credential's copy in this Region (promoted and pointed at this database by the runbook).
                "database/master-secret-arn": primary_stack.require_output(MASTER_SECRET_REPLICA_OUTPUT).apply(str),
                "cache/configuration-endpoint": cache.configuration_endpoint,
                "cache/port": cache.port.apply(str),
                "cache/auth-secret-arn": cache.auth_secret_arn,
                "inference/prompt-generator-url": applications.torchserve.inference_url,
                # Of the buckets only the models replica is the services' here (the others' replicas are read-only copies).
                f"buckets/{BucketPurpose.MODELS.value}": models.bucket_name,
                "queues/intent-classification-url": account_id.apply(lambda a: queue_url(intent_queue, region=settings.region, account_id=a)),
            },
        ),
        aws_opts,
    )
    pulumi.export("parameterPath", primary_parameter_path(pilot.primary_stack))

# --- dr: this Region's AWS Backup plan (betterprompts:pilotLight.backup), for the promoted database ---
# It selects what is tagged as a primary store of this stack: nothing while the replica replicates (its
# data is production's, backed up there), the promoted instance from the failover on, with no step of the
# failover's. No copies: they would go to the primary's Region (refused by the settings).
if pilot.backup is not None:
    composition.backups(
        prefix,
        pilot.backup,
        region=settings.region,
        dr_region=pilot.primary_region,
        dr_provider=None,
        stack_tags=stack_tags,
        account_id=account_id,
        platform=platform,
        opts=aws_opts,
    )

# --- cost: the pilot light's own budget and anomaly monitor (no schedules: it stands in for production) ---
cost = settings.cost
cost_controls = CostControls(
    f"{prefix}-cost",
    CostControlsArgs(
        environment=settings.stack,
        budget_monthly_usd=cost.budget_monthly_usd,
        alarm_topic_arn=baseline.alarm_topic_arn,
        account_id=account_id,
        region=settings.region,
        budget_alert_emails=cost.budget_alert_emails,
        anomaly_threshold_usd=cost.anomaly_threshold_usd,
        # The primary's stack activates the account's cost-allocation tags (load_pilot_light_settings).
        shutdown=cost.shutdown,
        business_hours=cost.business_hours,
        schedule_kms_key_arn=baseline.keys["alarms"].arn,
    ),
    aws_opts,
)
pulumi.export("budgetName", cost_controls.budget_name)
pulumi.export("costAssumptions", cost.assumptions.to_json())

if settings.quotas.requests:
    ServiceQuotaRequests(f"{prefix}-quotas", ServiceQuotaRequestsArgs(requests=settings.quotas.requests), aws_opts)
pulumi.export("quotaRequests", settings.quotas.to_json())
