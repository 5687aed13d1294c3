"""The BetterPrompts platform (a primary stack: production, staging): reads the stack's settings and
composes the components. ``__main__.py`` runs it for every stack without ``betterprompts:pilotLight``.

Nothing here decides a size, a count or a toggle: those come from
``Pulumi.<stack>.yaml`` through ``components.settings``.
"""

from collections.abc import Callable
from functools import partial

import pulumi
import pulumi_aws as aws

import composition
from components.apps import (
    HEALTH_PATH,
    SERVICE_PORT,
    AppParameters,
    AppParametersArgs,
    DeliveryAccess,
    DeliveryAccessArgs,
    ImageRepositories,
    ImageRepositoriesArgs,
    RunnerScaleSet,
    RunnerScaleSetArgs,
    ManagedPrometheusTarget,
    github_subject,
    parameter_path,
)
from components.compliance import (
    AuditTrail,
    AuditTrailArgs,
    ConfigRecorder,
    ConfigRecorderArgs,
    ThreatDetection,
    ThreatDetectionArgs,
    logs_bucket_grants,
    managed_rules,
    trail_name,
)
from components.cost import (
    BusinessHours,
    BusinessHoursArgs,
    CostControls,
    CostControlsArgs,
    NodeGroupTarget,
    ScaledHpa,
    ScaledVariant,
    kubectl_image,
)
from components.data import (
    PgvectorDatabase,
    PgvectorDatabaseArgs,
    SecretReplicaTarget,
    PgvectorExtension,
    PgvectorExtensionArgs,
)
from components.dr import (
    BucketReplication,
    BucketReplicationArgs,
    CrossRegionReplication,
    CrossRegionReplicationArgs,
    EndpointHealthChecks,
    EndpointHealthChecksArgs,
    FailoverRecords,
    FailoverRecordsArgs,
    ORIGIN_HEADER_VALUE_OUTPUT,
    DATABASE_ARN_OUTPUT,
    DATABASE_NAME_OUTPUT,
    DR_KEY_ARNS_OUTPUT,
    MASTER_SECRET_REPLICA_OUTPUT,
    MODEL_PREFIX_OUTPUT,
    REPLICA_BUCKET_NAMES_OUTPUT,
    VELERO_BUCKET_KEY,
    VELERO_NAMESPACE,
    ImageReplication,
    ImageReplicationArgs,
    ReplicationSource,
    VeleroBackups,
    VeleroBackupsArgs,
    velero_bucket_lifecycle,
)
from components.edge import (
    ACCESS_LOG_PREFIX,
    ApiLoadBalancer,
    ApiLoadBalancerArgs,
    OriginFailover,
    RoutedService,
    SiteDistribution,
    SiteDistributionArgs,
    WebFirewall,
    WebFirewallArgs,
    api_behaviour_paths,
)
from components.eks import POOLS, Autoscaler
from components.ml import (
    EfsModelStore,
    InferenceEndpoint,
    InferenceEndpointArgs,
    ModelBucketRef,
    ModelStore,
)
from components.network import Tier
from components.observability import (
    GrafanaDataSources,
    GrafanaDataSourcesArgs,
    GrafanaWorkspace,
    GrafanaWorkspaceArgs,
    ManagedPrometheus,
    ManagedPrometheusArgs,
    KpiDashboard,
    KpiDashboardArgs,
    LogShipping,
    LogShippingArgs,
    TraceCollector,
    TraceCollectorArgs,
    workload_env,
)
from components.platform import (
    CLOUDFRONT_REGION,
    RESERVED_TAG_KEYS,
    ComponentTags,
    PlatformBaseline,
    PlatformBaselineArgs,
    RegionProviders,
    ServiceQuotaRequests,
    ServiceQuotaRequestsArgs,
    stack_prefix,
)
from components.serverless import (
    BulkTransform,
    BulkTransformArgs,
    ServerlessApi,
    ServerlessApiArgs,
    ServerlessWorkers,
    ServerlessWorkersArgs,
    intent_queue_name,
    queue_url,
)
from components.settings import load_settings, read_runtime_config
from components.storage import (
    AccessLogTarget,
    AdoptedBucket,
    BucketPurpose,
    PlatformStorage,
    PlatformStorageArgs,
    SEED_BUCKETS,
    SharedFileSystem,
    SharedFileSystemArgs,
    SnapshotLifecycle,
    SnapshotLifecycleArgs,
    bucket_name,
    lifecycle_rules,
    logical_name,
    snapshot_target_tags,
)


# --- platform: settings, the tagged provider, KMS keys and the alarm topic ---------------------
settings = load_settings(read_runtime_config(), project=pulumi.get_project(), stack=pulumi.get_stack())
prefix = stack_prefix(settings.project, settings.stack)
platform = settings.platform

stack_tags = platform.default_tags(settings.project, settings.stack)
aws_provider, aws_opts, account_id = composition.stack_provider(prefix, settings.region, stack_tags)
# Providers for other regions (CloudFront's us-east-1, the DR region), with the same default tags.
region_providers = RegionProviders(prefix, stack_tags)
# The edge layer's CloudFront distribution reads the assets bucket through OAC: the storage key and the
# bucket's policy admit exactly that distribution, whose ARN exists only once the edge layer (below) made it.
site_distribution_arn: pulumi.Output[str]
resolve_site_distribution_arn: Callable[[pulumi.Output[str]], None]
site_distribution_arn, resolve_site_distribution_arn = pulumi.deferred_output()

baseline = PlatformBaseline(
    prefix,
    PlatformBaselineArgs(
        region=settings.region,
        account_id=account_id,
        kms_deletion_window_days=platform.kms_deletion_window_days,
        alarm_emails=platform.alarm_emails,
        alarm_destination_opt_out=platform.alarm_destination_opt_out or None,
        # Karpenter's interruption queue (EventBridge -> SQS under the alarms key) and its nodes'
        # encrypted volumes (any principal of the account, through EC2) need key statements of their own.
        eventbridge_to_queues=settings.eks.autoscaler is Autoscaler.KARPENTER,
        ebs_through_ec2=settings.eks.autoscaler is Autoscaler.KARPENTER,
        create_autoscaling_service_linked_role=platform.create_autoscaling_service_linked_role,
        # GuardDuty's findings reach the alarm topic through an EventBridge rule.
        eventbridge_to_topic=settings.compliance.guard_duty.enabled,
        cloudfront_readers=[site_distribution_arn],
        protect=platform.protect_stateful,
    ),
    aws_opts,
)
pulumi.export("region", settings.region)
pulumi.export("kmsKeyArns", baseline.key_arns)
pulumi.export("alarmTopicArn", baseline.alarm_topic_arn)

# --- network: the four-tier VPC ------------------------------------------------------------------
network = settings.network
vpc = composition.network(prefix, settings.region, network, baseline, account_id, aws_opts)

# --- storage: the seed's buckets, EBS snapshot lifecycle (EFS follows the cluster below) ------
storage_settings = settings.storage
compliance = settings.compliance
# Velero's bucket (the DR layer's, below) logs into the storage layer's access-log destination, whose
# policy names it first: its name is known before it exists.
velero_settings = settings.dr.velero if settings.dr is not None else None
velero_bucket_name = (
    account_id.apply(lambda a: bucket_name(storage_settings.bucket_name_prefix, VELERO_BUCKET_KEY, a, settings.region))
    if velero_settings is not None
    else None
)
audit_trail_name = trail_name(prefix)
log_grants = logs_bucket_grants(compliance, trail_name=audit_trail_name, region=settings.region)
storage = PlatformStorage(
    f"{prefix}-storage",
    PlatformStorageArgs(
        account_id=account_id,
        region=settings.region,
        bucket_name_prefix=storage_settings.bucket_name_prefix,
        kms_key_arn=baseline.keys["storage"].arn,
        lifecycles=storage_settings.lifecycles,
        # InferenceEndpoint created the model bucket; it moves here without being replaced.
        adopted={
            BucketPurpose.MODELS: AdoptedBucket(
                logical_name=logical_name(prefix, BucketPurpose.MODELS),
                previous_parent_urn=pulumi.create_urn(f"{prefix}-inference", "betterprompts:ml:InferenceEndpoint"),
            )
        },
        # CloudTrail and AWS Config deliver into the logs bucket: its policy admits them first.
        policy_grants={BucketPurpose.LOGS: log_grants} if log_grants is not None else {},
        # The edge layer's load balancer logs here too (ELB access logs support only SSE-S3).
        load_balancer_log_prefix=ACCESS_LOG_PREFIX,
        # The static app's origin: CloudFront reads it through OAC.
        cdn_readers={BucketPurpose.ASSETS: [site_distribution_arn]},
        log_sources={VELERO_BUCKET_KEY: velero_bucket_name} if velero_bucket_name is not None else {},
        force_destroy=storage_settings.destroyable_buckets,
        protect=platform.protect_stateful,
    ),
    aws_opts,
)
snapshots = SnapshotLifecycle(
    f"{prefix}-snapshots",
    SnapshotLifecycleArgs(target_tags=snapshot_target_tags(prefix), settings=storage_settings.snapshots),
    aws_opts,
)
pulumi.export("bucketNames", {p.value: n for p, n in storage.bucket_names.items()})
pulumi.export("bucketArns", {p.value: a for p, a in storage.bucket_arns.items()})
pulumi.export("snapshotPolicyArn", snapshots.policy_arn)

# --- compliance: CloudTrail, AWS Config, GuardDuty and Security Hub (account-level toggles) -------
logs_bucket = storage.buckets[BucketPurpose.LOGS]
if compliance.cloud_trail.enabled:
    trail = AuditTrail(
        f"{prefix}-compliance-trail",
        AuditTrailArgs(
            trail_name=audit_trail_name,
            region=settings.region,
            account_id=account_id,
            bucket_name=logs_bucket.bucket_name,
            bucket_ready=[logs_bucket.policy],
            logs_kms_key_arn=baseline.keys["logs"].arn,
            alarm_topic_arn=baseline.alarm_topic_arn,
            log_retention_days=compliance.cloud_trail.log_retention_days,
            # Object-level events of the platform's buckets; never the logs bucket the trail writes to.
            data_event_bucket_arns=(
                [storage.bucket_arns[p] for p in SEED_BUCKETS if p is not BucketPurpose.LOGS]
                if compliance.cloud_trail.s3_data_events
                else []
            ),
            kms_deletion_window_days=platform.kms_deletion_window_days,
            protect=platform.protect_stateful,
        ),
        aws_opts,
    )
    pulumi.export("auditTrailArn", trail.trail_arn)
recorder_ready: list[pulumi.Resource] = []
if compliance.config.enabled:
    recorder = ConfigRecorder(
        f"{prefix}-compliance-config",
        ConfigRecorderArgs(
            recorder_name=prefix,
            region=settings.region,
            account_id=account_id,
            bucket_name=logs_bucket.bucket_name,
            bucket_arn=logs_bucket.arn,
            bucket_kms_key_arn=baseline.keys["storage"].arn,
            bucket_ready=[logs_bucket.policy],
            rules=managed_rules(
                # The provider's default tags (REQUIRED_TAGS checks six keys; Component is per resource).
                required_tags=tuple(k for k in RESERVED_TAG_KEYS if k != "Component"),
                log_retention_days=compliance.config.min_log_retention_days,
            ),
        ),
        aws_opts,
    )
    recorder_ready.append(recorder.recorder)
    pulumi.export("configRecorderName", recorder.recorder_name)
if compliance.guard_duty.enabled or compliance.security_hub.enabled:
    threats = ThreatDetection(
        f"{prefix}-compliance-threats",
        ThreatDetectionArgs(
            region=settings.region,
            alarm_topic_arn=baseline.alarm_topic_arn,
            guard_duty=compliance.guard_duty.enabled,
            features=compliance.guard_duty.features,
            minimum_severity=compliance.guard_duty.minimum_severity,
            security_hub=compliance.security_hub.enabled,
            standards=compliance.security_hub.standards,
            # Security Hub's controls are Config rules: the recorder first.
            security_hub_after=recorder_ready,
        ),
        aws_opts,
    )
    pulumi.export("guardDutyDetectorId", threats.detector_id)

# --- eks: the runner that deploys from inside the VPC, the cluster, its node pools and add-ons ---
# The API endpoint is private: `pulumi preview`/`up` run on this runner (docs/deploy.md).
runner = composition.deploy_runner(prefix, settings.region, settings.deploy, vpc, baseline, account_id, aws_opts)

eks_settings = settings.eks
cluster = composition.cluster(
    prefix,
    settings.region,
    eks_settings,
    vpc,
    baseline,
    runner,
    account_id,
    instance_tags=stack_tags,
    protect=platform.protect_stateful,
    opts=aws_opts,
)

# --- storage, continued: EFS for the pods, mounted in every AZ of the app subnets ---------------
shared_fs = SharedFileSystem(
    f"{prefix}-efs",
    SharedFileSystemArgs(
        vpc_id=vpc.vpc_id,
        subnet_ids={az: subnet.id for az, subnet in vpc.subnets[Tier.APP].items()},
        node_security_group_ids=[cluster.node_security_group_id],
        kms_key_arn=baseline.keys["storage"].arn,
        k8s_provider=cluster.k8s_provider,
        settings=storage_settings.efs,
        protect=platform.protect_stateful,
    ),
    # The StorageClass names the EFS CSI driver, which the cluster's add-ons install.
    pulumi.ResourceOptions(providers=[aws_provider], depends_on=[cluster]),
)
pulumi.export("efsFileSystemId", shared_fs.file_system_id)
pulumi.export("efsAccessPointId", shared_fs.access_point_id)
pulumi.export("efsStorageClassName", shared_fs.storage_class_name)

# --- data: PostgreSQL with pgvector, Redis -------------------------------------------------------
# Application pods and functions that talk to the data layer carry this group; EKS nodes
# carry the cluster's node group. Only these two may reach PostgreSQL and Redis.
app_clients = composition.app_clients(prefix, vpc, network, aws_opts)
data_clients = [app_clients.id, cluster.node_security_group_id]

# With the database replicated to the DR Region (betterprompts:dr.databaseCrossRegionBackups), Secrets Manager keeps
# a copy of its master credential there, under the DR Region's data key; that key is made by the DR layer below,
# after the database, so its ARN arrives as a deferred output. The pilot light reads the copy after a Region loss.
master_secret_replica: SecretReplicaTarget | None = None
resolve_dr_data_key_arn: Callable[[pulumi.Output[str]], None] | None = None
if settings.dr is not None and settings.dr.database_cross_region_backups:
    dr_data_key_arn, resolve_dr_data_key_arn = pulumi.deferred_output()
    master_secret_replica = SecretReplicaTarget(region=settings.dr.region, kms_key_arn=dr_data_key_arn)
database = PgvectorDatabase(
    f"{prefix}-database",
    PgvectorDatabaseArgs(
        database=settings.database,
        region=settings.region,
        vpc_id=vpc.vpc_id,
        # The password rotation function runs in the app tier (NAT to Secrets Manager), connecting to the DB tier.
        rotation_subnet_ids=vpc.subnet_ids[Tier.APP],
        database_cidrs=network.subnets[Tier.DB],
        db_subnet_group_name=vpc.db_subnet_group_name,
        client_security_group_ids=data_clients,
        kms_key_arn=baseline.keys["data"].arn,
        log_kms_key_arn=baseline.keys["logs"].arn,
        alarm_topic_arn=baseline.alarm_topic_arn,
        account_id=account_id,
        protect=platform.protect_stateful,
        master_secret_replica=master_secret_replica,
    ),
    aws_opts,
)
cache = composition.cache(prefix, settings.cache, vpc, data_clients, baseline, protect=platform.protect_stateful, opts=aws_opts)
pulumi.export("appClientsSecurityGroupId", app_clients.id)
pulumi.export("databaseAddress", database.address)
pulumi.export("databaseEndpoint", database.endpoint)
# The DR stack's cross-Region read replica names its source by ARN, read through a StackReference.
pulumi.export(DATABASE_ARN_OUTPUT, database.arn)
pulumi.export("databasePort", database.port)
pulumi.export(DATABASE_NAME_OUTPUT, settings.database.database_name)
pulumi.export("databaseMasterSecretArn", database.master_secret_arn)
if database.master_secret_replica_arn is not None:
    # The dr stack reads the credential's copy in its own Region through its StackReference.
    pulumi.export(MASTER_SECRET_REPLICA_OUTPUT, database.master_secret_replica_arn)
pulumi.export("databaseReplicaAddresses", database.replica_addresses)

# --- ml: the SageMaker endpoint (option B); TorchServe (option A) runs in the cluster below ------
inference_settings = settings.inference
inference = InferenceEndpoint(
    f"{prefix}-inference",
    InferenceEndpointArgs(
        region=settings.region,
        account_id=account_id,
        mode=inference_settings.mode,
        multi_model=inference_settings.multi_model,
        serverless=inference_settings.serverless,
        model_prefix=inference_settings.model_prefix,
        model_bucket=ModelBucketRef(
            name=storage.bucket_names[BucketPurpose.MODELS],
            arn=storage.bucket_arns[BucketPurpose.MODELS],
            # The starter archive goes into the storage layer's bucket once it is whole.
            ready=storage.buckets[BucketPurpose.MODELS].ready,
        ),
        bucket_kms_key_arn=baseline.keys["storage"].arn,
        endpoint_kms_key_arn=baseline.keys["data"].arn,
        log_kms_key_arn=baseline.keys["logs"].arn,
        alarm_topic_arn=baseline.alarm_topic.arn,
        vpc_id=vpc.vpc_id,
        vpc_cidr=vpc.vpc_cidr,
        subnet_ids=vpc.subnet_ids[Tier.ML],
        alarms=inference_settings.alarms,
        log_retention_days=inference_settings.log_retention_days,
        # Which path serves production traffic (betterprompts:inference.serving); the other is sized to zero.
        serve=inference_settings.serving.sagemaker,
    ),
    aws_opts,
)
pulumi.export("inferenceEndpointName", inference.endpoint_name)
pulumi.export("inferenceEndpointArn", inference.endpoint_arn)
pulumi.export("modelBucketName", inference.model_bucket_name)
pulumi.export("modelBucketArn", inference.model_bucket_arn)
pulumi.export(MODEL_PREFIX_OUTPUT, inference.model_prefix)
# Both serving paths at their configured sizes: the cost stage prices the one not serving too.
_gpu_pool = settings.eks.node_groups.get("gpu")
pulumi.export(
    "inferenceServing",
    {
        "serving": inference_settings.serving.value,
        "sagemaker": (
            {
                "instanceType": inference_settings.multi_model.instance_type,
                "min": inference_settings.multi_model.min_instances,
                "max": inference_settings.multi_model.max_instances,
            }
            if inference_settings.mode.value == "multi_model_gpu"
            else {"serverlessMemoryMb": inference_settings.serverless.memory_size_mb}
        ),
        "torchserve": (
            {
                "instanceType": _gpu_pool.instance_types[0],
                "podsMin": settings.workloads.prompt_generator.scaling.min_replicas,
                "podsMax": settings.workloads.prompt_generator.scaling.max_replicas,
                "gpusPerPod": settings.workloads.prompt_generator.gpus,
                "nodesMax": _gpu_pool.max_size,
                "diskGb": _gpu_pool.disk_size_gib,
            }
            if _gpu_pool is not None
            else {}
        ),
    },
)

# --- apps: the ECR repositories of the application's images (betterprompts:images; optional) ---
if settings.images is not None:
    images = ImageRepositories(
        f"{prefix}-images",
        ImageRepositoriesArgs(
            repository_prefix=settings.images.repository_prefix,
            kms_key_arn=baseline.keys["storage"].arn,
            keep_releases=settings.images.keep_releases,
            untagged_expire_days=settings.images.untagged_expire_days,
            protect=platform.protect_stateful,
        ),
        aws_opts,
    )
    pulumi.export("imageRepositoryUrls", images.repository_urls)

    # --- apps: the application repository's GitHub Actions deploy role (betterprompts:delivery; optional) ---
    if settings.delivery is not None:
        delivery = settings.delivery
        delivery_access = DeliveryAccess(
            f"{prefix}-delivery",
            DeliveryAccessArgs(
                github_repository=delivery.github_repository,
                subject=github_subject(delivery.github_repository, environment=delivery.environment, branch=delivery.branch),
                account_id=account_id,
                region=settings.region,
                cluster_name=cluster.cluster_name,
                repository_arns=images.repository_arns,
                namespaces=(settings.workloads.namespace, settings.workloads.prompt_generator.namespace),
                create_oidc_provider=delivery.create_oidc_provider,
            ),
            aws_opts,
        )
        pulumi.export("deliveryRoleArn", delivery_access.role_arn)

# --- observability, first part: the AMP workspace the in-cluster Prometheus (below) remote-writes to ----
# Managed Grafana cannot reach the in-cluster Prometheus; it queries this workspace (docs/observability.md).
managed_prometheus: ManagedPrometheus | None = None
if settings.observability.managed_prometheus.enabled:
    managed_prometheus = ManagedPrometheus(
        f"{prefix}-amp",
        ManagedPrometheusArgs(
            prefix=prefix,
            region=settings.region,
            account_id=account_id,
            settings=settings.observability.managed_prometheus,
            logs_kms_key_arn=baseline.keys["logs"].arn,
            kms_deletion_window_days=platform.kms_deletion_window_days,
            protect=platform.protect_stateful,
        ),
        aws_opts,
    )
    pulumi.export("prometheusWorkspaceId", managed_prometheus.workspace_id)
    pulumi.export("prometheusWorkspaceEndpoint", managed_prometheus.prometheus_endpoint)

# --- apps, in the cluster: metrics pipeline, the seed's services with their HPAs, TorchServe, pgvector
workloads = settings.workloads
# The serverless layer's work queue (below) has a fixed name: the exporter and the HPA name it first.
intent_queue = intent_queue_name(prefix)
tracing = settings.observability.tracing
application_layer = composition.applications(
    prefix,
    workloads,
    cluster,
    baseline,
    composition.ApplicationInputs(
        region=settings.region,
        account_id=account_id,
        intent_queue_name=intent_queue,
        models=ModelStore(
            bucket_name=inference.model_bucket_name,
            bucket_arn=inference.model_bucket_arn,
            prefix=inference.model_prefix,
            kms_key_arn=baseline.keys["storage"].arn,
            efs=EfsModelStore(
                file_system_id=shared_fs.file_system_id,
                access_point_id=shared_fs.access_point_id,
                storage_class_name=shared_fs.storage_class_name,
            ),
        ),
        serve=inference_settings.serving.torchserve,
        # Every sample also goes to the AMP workspace, Managed Grafana's Prometheus data source.
        managed_prometheus=ManagedPrometheusTarget(
            workspace_arn=managed_prometheus.workspace_arn,
            remote_write_url=managed_prometheus.remote_write_url,
            region=settings.region,
            oidc_provider_arn=cluster.oidc_provider_arn,
            oidc_provider_url=cluster.oidc_provider_url,
            additional_series=settings.observability.managed_prometheus.additional_series,
        )
        if managed_prometheus is not None
        else None,
        # Every service sends its traces to the observability layer's collector (created below; SDKs retry until it answers).
        env={s: workload_env(tracing.namespace, s, tracing.sampling_ratio) for s in workloads.services} if tracing.enabled else {},
    ),
    aws_provider=aws_provider,
    protect=platform.protect_stateful,
    opts=aws_opts,
)
metrics, apps, torchserve = application_layer.metrics, application_layer.workloads, application_layer.torchserve
# CREATE EXTENSION IF NOT EXISTS vector, run as a Job inside the VPC with the RDS-managed secret.
PgvectorExtension(
    f"{prefix}-pgvector",
    PgvectorExtensionArgs(
        region=settings.region,
        db_address=database.address,
        database_name=settings.database.database_name,
        master_username=settings.database.master_username,
        master_secret_arn=database.master_secret_arn,
        kms_key_arn=baseline.keys["data"].arn,
        k8s_provider=cluster.k8s_provider,
        oidc_provider_arn=cluster.oidc_provider_arn,
        oidc_issuer=cluster.oidc_provider_url,
        namespace=workloads.namespace,
    ),
    pulumi.ResourceOptions(providers=[aws_provider], depends_on=[database, apps]),
)

# --- apps: self-hosted GitHub Actions runners on the spot pool (betterprompts:runners; optional) ---
if settings.runners is not None:
    runners = RunnerScaleSet(
        f"{prefix}-runners",
        RunnerScaleSetArgs(
            settings=settings.runners,
            k8s_provider=cluster.k8s_provider,
            controller_replicas=eks_settings.controller_replicas,
            depends_on=list(cluster.workload_dependencies),
        ),
        # The GitHub App's credentials are read from Secrets Manager through the stack's AWS provider.
        aws_opts,
    )
    pulumi.export("runnerScaleSet", runners.runs_on)

# --- apps: the endpoints and names applications read, in Parameter Store (/<project>/<stack>/...) ---
parameters = AppParameters(
    f"{prefix}-parameters",
    AppParametersArgs(
        path=parameter_path(settings.project, settings.stack),
        values={
            "database/address": database.address,
            "database/port": database.port.apply(str),
            "database/name": settings.database.database_name,
            "database/master-secret-arn": database.master_secret_arn,
            "cache/configuration-endpoint": cache.configuration_endpoint,
            "cache/port": cache.port.apply(str),
            "cache/auth-secret-arn": cache.auth_secret_arn,
            # The endpoint exists only while SageMaker serves (betterprompts:inference.serving).
            **({"inference/endpoint-name": inference.endpoint_name.apply(str)} if inference_settings.serving.sagemaker else {}),
            "inference/prompt-generator-url": torchserve.inference_url,
            **{f"buckets/{p.value}": storage.bucket_names[p] for p in SEED_BUCKETS},
            # The queue is registered further down; its URL follows from its fixed name.
            "queues/intent-classification-url": account_id.apply(
                lambda a: queue_url(intent_queue, region=settings.region, account_id=a)
            ),
        },
    ),
    aws_opts,
)
pulumi.export("parameterPath", parameter_path(settings.project, settings.stack))
# --- edge: the load balancer in front of the services (CloudFront's origin for the API paths) ----
edge = settings.edge
# No-domain mode (edge.domain absent): no load balancer, CloudFront serves the static app on its own name.
api_lb = None if edge.domain is None else ApiLoadBalancer(
    f"{prefix}-edge",
    ApiLoadBalancerArgs(
        prefix=prefix,
        settings=edge,
        vpc_id=vpc.vpc_id,
        public_subnet_ids=vpc.subnet_ids[Tier.PUBLIC],
        node_security_group_id=cluster.node_security_group_id,
        services={
            service: RoutedService(container_port=s.port, service_port=SERVICE_PORT, health_check_path=HEALTH_PATH)
            for service, s in workloads.services.items()
        },
        namespace=apps.namespace,
        k8s_provider=cluster.k8s_provider,
        access_log_bucket=storage.bucket_names[BucketPurpose.ACCESS_LOGS],
        access_log_ready=[storage.access_logs.policy],
        alarm_topic_arn=baseline.alarm_topic_arn,
        # The TargetGroupBinding CRD and its webhook come with the controller; the Services with the apps.
        depends_on=[cluster.releases["aws-load-balancer-controller"], apps],
        protect=platform.protect_stateful,
        # With a pilot light's entry (betterprompts:dr.failover) the origin name is the PRIMARY of a failover pair.
        origin_failover=OriginFailover() if settings.dr is not None and settings.dr.failover is not None else None,
    ),
    aws_opts,
)
# WAF: the regional web ACL on the load balancer (the serverless layer associates its API stage with
# regional_waf.web_acl_arn), and CloudFront's, which must live in us-east-1.
regional_waf = composition.regional_firewall(
    prefix, settings.region, edge.waf, baseline, account_id, {"api-alb": api_lb.arn} if api_lb is not None else {}, aws_opts
)
cloudfront_waf = WebFirewall(
    f"{prefix}-edge-waf-cloudfront",
    WebFirewallArgs(
        prefix=prefix,
        scope="CLOUDFRONT",
        region=CLOUDFRONT_REGION,
        settings=edge.waf,
        account_id=account_id,
        logs_kms_key_arn=baseline.keys["logs"].arn,
        logs_kms_key_region=settings.region,
    ),
    pulumi.ResourceOptions(providers=[region_providers(CLOUDFRONT_REGION)]),
)
# With the assets bucket replicated (betterprompts:dr.buckets.replicate), the static app's secondary origin is
# the replica in the DR Region, made by the DR layer below: its domain name arrives as a deferred output, so the
# distribution waits for the replica bucket, whose policy and key then admit the distribution.
assets_replica_domain_name: pulumi.Output[str] | None = None
resolve_assets_replica_domain_name: Callable[[pulumi.Output[str]], None] | None = None
if settings.dr is not None and settings.dr.site_origin_failover:
    assets_replica_domain_name, resolve_assets_replica_domain_name = pulumi.deferred_output()
# CloudFront: the static app from the assets bucket, the routes to the load balancer, the site and API names.
site = SiteDistribution(
    f"{prefix}-edge-site",
    SiteDistributionArgs(
        prefix=prefix,
        settings=edge,
        hosted_zone_id=api_lb.hosted_zone_id if api_lb is not None else None,
        assets_bucket_domain_name=storage.buckets[BucketPurpose.ASSETS].bucket.bucket_regional_domain_name,
        api_paths=api_behaviour_paths(edge.routes) if api_lb is not None else [],
        origin_header_value=api_lb.origin_header_value if api_lb is not None else None,
        web_acl_arn=cloudfront_waf.web_acl_arn,
        account_id=account_id,
        logs_kms_key_arn=baseline.keys["logs"].arn,
        logs_kms_key_region=settings.region,
        alarm_topic_arn=baseline.alarm_topic_arn,
        alarm_topic_region=settings.region,
        assets_replica_domain_name=assets_replica_domain_name,
    ),
    pulumi.ResourceOptions(providers=[region_providers(CLOUDFRONT_REGION)]),
)
resolve_site_distribution_arn(site.arn)
pulumi.export("siteUrl", site.site_url)
pulumi.export("distributionId", site.distribution_id)
pulumi.export("distributionDomainName", site.domain_name)
pulumi.export("regionalWebAclArn", regional_waf.web_acl_arn)
pulumi.export("cloudFrontWebAclArn", cloudfront_waf.web_acl_arn)
if api_lb is not None:
    pulumi.export("apiUrl", site.api_url)
    pulumi.export("apiLoadBalancerDnsName", api_lb.dns_name)
    pulumi.export("apiOriginName", api_lb.origin_name)
    # The pilot light's entry requires the same value (one distribution sends it to either load balancer).
    pulumi.export(ORIGIN_HEADER_VALUE_OUTPUT, api_lb.origin_header_value)
    pulumi.export("apiTargetGroupArns", api_lb.target_group_arns)

# --- serverless: the intent classifier's work queue ----------------------------------------------
serverless = settings.serverless
work_queue = composition.intent_queue(prefix, intent_queue, serverless.intent_queue, baseline, aws_opts)
# The seed's functions: image optimization (assets uploads), webhook processing, scheduled tasks.
workers = ServerlessWorkers(
    f"{prefix}-serverless",
    ServerlessWorkersArgs(
        prefix=prefix,
        settings=serverless.functions,
        region=settings.region,
        account_id=account_id,
        assets_bucket_name=storage.bucket_names[BucketPurpose.ASSETS],
        assets_bucket_arn=storage.bucket_arns[BucketPurpose.ASSETS],
        storage_key_arn=baseline.keys["storage"].arn,
        data_key_arn=baseline.keys["data"].arn,
        logs_key_arn=baseline.keys["logs"].arn,
        alarm_topic_arn=baseline.alarm_topic_arn,
        intent_queue_url=work_queue.queue_url,
        intent_queue_arn=work_queue.queue_arn,
        protect=platform.protect_stateful,
    ),
    aws_opts,
)
pulumi.export("functionArns", {key: f.function_arn for key, f in workers.functions.items()})
pulumi.export("webhookSigningSecretArn", workers.webhook_secret_arn)
# The regional REST API in front of the webhook, behind the regional web ACL (docs/serverless.md).
serverless_api = ServerlessApi(
    f"{prefix}-serverless-api",
    ServerlessApiArgs(
        prefix=prefix,
        settings=serverless.api,
        region=settings.region,
        webhook_function_name=workers.webhook_function.physical_name,
        webhook_function_arn=workers.webhook_function.function_arn,
        webhook_invoke_arn=workers.webhook_function.invoke_arn,
        web_acl_arn=regional_waf.web_acl_arn,
        logs_key_arn=baseline.keys["logs"].arn,
        alarm_topic_arn=baseline.alarm_topic_arn,
        # The zone is looked up by the load balancer, which exists exactly when the stack has a domain.
        zone_id=api_lb.hosted_zone_id if api_lb is not None else None,
    ),
    aws_opts,
)
# The webhook senders' URL: the custom domain when the stack has one, else the stage's execute-api URL.
pulumi.export("serverlessApiUrl", serverless_api.url)
pulumi.export("serverlessApiStageArn", serverless_api.stage_arn)

# --- observability: traces to X-Ray, the seed's KPIs beside their targets on one dashboard --------
observability = settings.observability
if tracing.enabled:
    collector = TraceCollector(
        f"{prefix}-tracing",
        TraceCollectorArgs(
            settings=tracing,
            region=settings.region,
            k8s_provider=cluster.k8s_provider,
            oidc_provider_arn=cluster.oidc_provider_arn,
            oidc_provider_url=cluster.oidc_provider_url,
            depends_on=cluster.workload_dependencies,
        ),
        aws_opts,
    )
    pulumi.export("traceCollectorEndpoint", collector.endpoint)
if observability.logs.enabled:
    log_shipping = LogShipping(
        f"{prefix}-logs",
        LogShippingArgs(
            settings=observability.logs,
            region=settings.region,
            account_id=account_id,
            # The cluster is named after the stack prefix (the VPC tagged its subnets for it).
            cluster_name=prefix,
            logs_kms_key_arn=baseline.keys["logs"].arn,
            storage_kms_key_arn=baseline.keys["storage"].arn,
            bucket_arn=storage.bucket_arns[BucketPurpose.LOGS],
            k8s_provider=cluster.k8s_provider,
            oidc_provider_arn=cluster.oidc_provider_arn,
            oidc_provider_url=cluster.oidc_provider_url,
            depends_on=cluster.workload_dependencies,
            protect=platform.protect_stateful,
        ),
        aws_opts,
    )
    pulumi.export("containerLogGroupName", log_shipping.log_group_name)
    pulumi.export("containerLogStreamName", log_shipping.stream_name)
if observability.dashboard.enabled:
    kpis = KpiDashboard(
        f"{prefix}-kpis",
        KpiDashboardArgs(
            prefix=prefix,
            region=settings.region,
            cluster_name=cluster.cluster_name,
            autoscaling_group_names=cluster.autoscaling_group_names,
            spot_pools=[pool for pool in cluster.autoscaling_group_names if POOLS[pool].spot],
            load_balancer_arn_suffix=api_lb.arn_suffix if api_lb is not None else None,
            target_group_arn_suffixes=api_lb.target_group_arn_suffixes if api_lb is not None else {},
            # The endpoint exists only while SageMaker serves (betterprompts:inference.serving).
            endpoint_name=inference.endpoint_name if inference_settings.serving.sagemaker else None,
            endpoint_instances=inference_settings.mode.value == "multi_model_gpu",
            api_p95_ms=edge.alarms.target_response_p95_ms,
            inference_p95_microseconds=inference_settings.alarms.model_latency_p95_microseconds,
            targets=observability.dashboard.kpis,
            distribution_id=site.distribution_id,
            origin_latency=edge.cdn.additional_metrics,
            cloudfront_5xx_percent=edge.alarms.cloudfront_5xx_rate_percent,
            function_names={key: f.function_name for key, f in workers.functions.items()},
            function_duration_p95_ms={
                "image-optimizer": serverless.functions.image_optimizer.function.alarms.duration_p95_ms,
                "webhook": serverless.functions.webhook.function.alarms.duration_p95_ms,
                "scheduled-tasks": serverless.functions.scheduled_tasks.function.alarms.duration_p95_ms,
            },
            queue_name=intent_queue,
            queue_age_seconds=serverless.intent_queue.alarms.oldest_message_age_seconds,
        ),
        aws_opts,
    )
    pulumi.export("kpiDashboardName", kpis.dashboard_name)
# Amazon Managed Grafana over CloudWatch, X-Ray and the AMP workspace (betterprompts:observability.grafana; on in production).
if observability.grafana.enabled:
    grafana = GrafanaWorkspace(
        f"{prefix}-grafana",
        GrafanaWorkspaceArgs(
            prefix=prefix,
            region=settings.region,
            account_id=account_id,
            settings=observability.grafana,
            alarm_topic_arn=baseline.alarm_topic_arn,
            alarm_topic_key_arn=baseline.keys["alarms"].arn,
            prometheus_workspace_arn=managed_prometheus.workspace_arn if managed_prometheus is not None else None,
        ),
        aws_opts,
    )
    pulumi.export("grafanaWorkspaceEndpoint", grafana.endpoint)
    # CloudWatch and the AMP workspace as data sources inside the workspace (observability.grafana.dataSources).
    if observability.grafana.data_sources is not None:
        grafana_sources = GrafanaDataSources(
            f"{prefix}-grafana-sources",
            GrafanaDataSourcesArgs(
                region=settings.region,
                workspace_id=grafana.workspace_id,
                workspace_endpoint=grafana.endpoint,
                settings=observability.grafana.data_sources,
                prometheus_endpoint=managed_prometheus.prometheus_endpoint if managed_prometheus is not None else None,
            ),
            aws_opts,
        )
        pulumi.export("grafanaTokenExpiresAt", grafana_sources.token.expires_at)

# Bulk processing: SageMaker batch transform of a manifest's objects, orchestrated by Step Functions.
bulk = BulkTransform(
    f"{prefix}-serverless-bulk",
    BulkTransformArgs(
        prefix=prefix,
        settings=serverless.bulk_transform,
        region=settings.region,
        account_id=account_id,
        model_name=inference.batch_model_name,
        model_role_arn=inference.execution_role_arn,
        model_role_name=inference.execution_role_name,
        model_prefix=inference_settings.model_prefix,
        bucket_name=storage.bucket_names[BucketPurpose.MODELS],
        bucket_arn=storage.bucket_arns[BucketPurpose.MODELS],
        storage_key_arn=baseline.keys["storage"].arn,
        data_key_arn=baseline.keys["data"].arn,
        logs_key_arn=baseline.keys["logs"].arn,
        alarms_key_arn=baseline.keys["alarms"].arn,
        alarm_topic_arn=baseline.alarm_topic_arn,
        tags=dict(stack_tags),
        kms_deletion_window_days=platform.kms_deletion_window_days,
        protect=platform.protect_stateful,
    ),
    aws_opts,
)
pulumi.export("bulkTransformStateMachineArn", bulk.state_machine_arn)
# --- dr: AWS Backup in both Regions, the stores replicated to the DR Region (docs/dr.md) ---------
dr = settings.dr
if dr is not None:
    # The DR Region's resources carry the same cost-allocation tags through its own provider.
    dr_provider = region_providers(dr.region) if dr.uses_dr_region else None
    backups = composition.backups(
        prefix,
        dr.backup,
        region=settings.region,
        dr_region=dr.region,
        dr_provider=dr_provider,
        stack_tags=stack_tags,
        account_id=account_id,
        platform=platform,
        opts=aws_opts,
    )
    velero: VeleroBackups | None = None
    if dr.velero is not None and velero_bucket_name is not None:
        # The platform's namespaces: the services, the prompt generator, monitoring and the telemetry agents.
        backed_up = [workloads.namespace, workloads.prompt_generator.namespace, workloads.metrics.namespace]
        backed_up += [tracing.namespace] if tracing.enabled else []
        backed_up += [observability.logs.namespace] if observability.logs.enabled else []
        velero = VeleroBackups(
            f"{prefix}-velero",
            VeleroBackupsArgs(
                settings=dr.velero,
                namespace=VELERO_NAMESPACE,
                backed_up_namespaces=sorted(set(backed_up)),
                region=settings.region,
                account_id=account_id,
                bucket_name=velero_bucket_name,
                kms_key_arn=baseline.keys["storage"].arn,
                access_logs=AccessLogTarget(
                    bucket=storage.access_logs.bucket_name, prefix=f"{VELERO_BUCKET_KEY}/", ready=storage.access_logs.policy
                ),
                k8s_provider=cluster.k8s_provider,
                oidc_provider_arn=cluster.oidc_provider_arn,
                oidc_provider_url=cluster.oidc_provider_url,
                depends_on=cluster.workload_dependencies,
                force_destroy=storage_settings.destroyable_buckets,
                protect=platform.protect_stateful,
            ),
            aws_opts,
        )
        pulumi.export("veleroBucketName", velero.bucket_name)
    if dr_provider is not None and (dr.database_cross_region_backups or dr.efs_replication or dr.replica_keys):
        replication = CrossRegionReplication(
            f"{prefix}-dr",
            CrossRegionReplicationArgs(
                dr_region=dr.region,
                account_id=account_id,
                dr_provider=dr_provider,
                database_arn=database.instance.arn if dr.database_cross_region_backups else None,
                database_retention_days=dr.database_replicated_retention_days,
                file_system_id=shared_fs.file_system_id if dr.efs_replication else None,
                storage_key=bool(dr.replica_keys),
                # The assets replica is the static site's secondary origin: CloudFront decrypts its objects.
                storage_key_cloudfront_readers=[site_distribution_arn] if dr.site_origin_failover else [],
                kms_deletion_window_days=platform.kms_deletion_window_days,
                protect=platform.protect_stateful,
            ),
            aws_opts,
        )
        pulumi.export(DR_KEY_ARNS_OUTPUT, replication.key_arns)
        if resolve_dr_data_key_arn is not None:
            resolve_dr_data_key_arn(replication.key_arns["data"])
        if dr.replica_keys:
            # The critical buckets, replicated by S3 into replicas named like their sources, in the DR Region.
            def replica_name(purpose: BucketPurpose | str, region: str = dr.region) -> pulumi.Output[str]:
                return account_id.apply(lambda a: bucket_name(storage_settings.bucket_name_prefix, purpose, a, region))

            sources = {
                p.value: ReplicationSource(
                    name=storage.bucket_names[p],
                    arn=storage.bucket_arns[p],
                    replica_name=replica_name(p),
                    lifecycle_rules=lifecycle_rules(storage_settings.lifecycles[p]),
                    ready=storage.buckets[p].ready,
                )
                for p in dr.replicated_buckets
            }
            if velero is not None and dr.velero is not None and dr.velero.replicate:
                sources[VELERO_BUCKET_KEY] = ReplicationSource(
                    name=velero.bucket_name,
                    arn=velero.bucket_arn,
                    replica_name=replica_name(VELERO_BUCKET_KEY),
                    lifecycle_rules=velero_bucket_lifecycle(dr.velero.ttl_days),
                    ready=velero.bucket.ready,
                )

            bucket_replication = BucketReplication(
                f"{prefix}-dr-buckets",
                BucketReplicationArgs(
                    sources=sources,
                    region=settings.region,
                    dr_region=dr.region,
                    account_id=account_id,
                    dr_provider=dr_provider,
                    source_kms_key_arn=baseline.keys["storage"].arn,
                    replica_kms_key_arn=replication.key_arns["storage"],
                    access_log_bucket_name=replica_name(BucketPurpose.ACCESS_LOGS),
                    access_log_lifecycle_rules=lifecycle_rules(storage_settings.lifecycles[BucketPurpose.ACCESS_LOGS]),
                    replication_time_control=dr.replication_time_control,
                    cdn_readers={BucketPurpose.ASSETS.value: [site_distribution_arn]} if dr.site_origin_failover else {},
                    alarm_topic_arn=baseline.alarm_topic_arn,
                    force_destroy=storage_settings.destroyable_buckets,
                    protect=platform.protect_stateful,
                ),
                aws_opts,
            )
            pulumi.export(REPLICA_BUCKET_NAMES_OUTPUT, bucket_replication.replica_names)
            if resolve_assets_replica_domain_name is not None:
                resolve_assets_replica_domain_name(
                    bucket_replication.replicas[BucketPurpose.ASSETS.value].bucket.bucket_regional_domain_name
                )
    if dr_provider is not None and dr.images.replicate and settings.images is not None:
        # The application's images, replicated by ECR into repositories a DR-Region template shapes.
        image_replication = ImageReplication(
            f"{prefix}-dr-images",
            ImageReplicationArgs(
                repository_prefix=settings.images.repository_prefix,
                region=settings.region,
                dr_region=dr.region,
                account_id=account_id,
                dr_provider=dr_provider,
                keep_releases=settings.images.keep_releases,
                untagged_expire_days=settings.images.untagged_expire_days,
                resource_tags=stack_tags,
                manage_registry_replication=dr.images.manage_registry_replication,
                kms_deletion_window_days=platform.kms_deletion_window_days,
                protect=platform.protect_stateful,
            ),
            aws_opts,
        )
        pulumi.export("imageReplicaKeyArn", image_replication.key_arn)
    if dr.health_checks is not None and edge.domain is not None and api_lb is not None:
        # Route 53's health-check metrics (and so the checks' alarms) live in us-east-1.
        public_names = {"site": edge.domain.site_name, "api": edge.domain.api_name}
        in_us_east_1 = pulumi.ResourceOptions(providers=[region_providers(CLOUDFRONT_REGION)])
        health = EndpointHealthChecks(
            f"{prefix}-dr-health",
            EndpointHealthChecksArgs(
                settings=dr.health_checks,
                target_domain_name=site.domain_name,
                names=public_names,
                alarm_topic_arn=baseline.alarm_topic_arn,
                alarm_topic_region=settings.region,
            ),
            in_us_east_1,
        )
        pulumi.export("healthCheckIds", health.check_ids)
    if dr.failover is not None and edge.domain is not None and api_lb is not None and api_lb.hosted_zone_id is not None:
        # The API origin's SECONDARY: the pilot light's load balancer (the PRIMARY is the edge layer's origin record).
        FailoverRecords(
            f"{prefix}-dr-failover",
            FailoverRecordsArgs(settings=dr.failover, zone_id=api_lb.hosted_zone_id, origin_name=edge.domain.api_origin_name),
            pulumi.ResourceOptions(providers=[region_providers(CLOUDFRONT_REGION)]),
        )
    pulumi.export("drRegion", dr.region)
    pulumi.export("recoveryPoints", {r.store: {"minutes": r.minutes, "mechanism": r.mechanism} for r in dr.rpos})

# --- cost: budget, anomaly detection, cost-allocation tags, off-hours shutdown --------------------
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
        cost_allocation_tag_keys=RESERVED_TAG_KEYS if cost.activate_cost_allocation_tags else (),
        shutdown=cost.shutdown,
        business_hours=cost.business_hours,
        # What the off-hours shutdown scales to zero and business hours raise (schedules exist only when enabled).
        node_groups={
            pool: NodeGroupTarget(
                cluster_name=cluster.cluster_name,
                nodegroup_name=group.node_group_name,
                min_size=eks_settings.node_groups[pool].min_size,
                max_size=eks_settings.node_groups[pool].max_size,
                desired_size=eks_settings.node_groups[pool].desired_size,
                floor=cost.business_hours.floors.node_groups.get(pool),
            )
            for pool, group in cluster.node_groups.items()
        },
        # RDS cannot stop a primary that has read replicas.
        db_instances={"primary": database.identifier} if settings.database.read_replicas == 0 else {},
        # Operational payloads (which group, which database): the alarms key, not the data key.
        schedule_kms_key_arn=baseline.keys["alarms"].arn,
    ),
    aws_opts,
)
pulumi.export("budgetName", cost_controls.budget_name)

# --- cost: business hours' floors for the SageMaker variant and the services' HPAs (the node groups' are above) ---
hours = cost.business_hours
if hours.enabled and (hours.floors.services or hours.floors.sagemaker_instances):
    # Services with an HPA: the three CPU services, and the prompt generator while TorchServe serves.
    scaled = {name: (workloads.namespace, s.scaling.min_replicas) for name, s in workloads.services.items()}
    if inference_settings.serving.torchserve:
        scaled["prompt-generator"] = (workloads.prompt_generator.namespace, workloads.prompt_generator.scaling.min_replicas)
    variant_floor = hours.floors.sagemaker_instances
    BusinessHours(
        f"{prefix}-business-hours",
        BusinessHoursArgs(
            timezone=hours.timezone,
            levels=hours.levels(cost.shutdown.crons),
            variant=(
                ScaledVariant(
                    resource_id=inference.scaling_target.resource_id,
                    min_capacity=inference_settings.multi_model.min_instances,
                    max_capacity=inference_settings.multi_model.max_instances,
                    floor=variant_floor,
                    depends_on=[inference.scaling_target],
                )
                if variant_floor is not None
                else None
            ),
            hpas={name: ScaledHpa(namespace=scaled[name][0], min_replicas=scaled[name][1], floor=floor) for name, floor in hours.floors.services.items()},
            k8s_provider=cluster.k8s_provider,
            job_namespace=workloads.namespace,
            kubectl_image=kubectl_image(eks_settings.kubernetes_version),
            # The HPAs (and their namespaces) exist first.
            depends_on=[apps, torchserve],
        ),
        aws_opts,
    )
# What `preflight` and the budget policy price usage with (the plan has no other record of it).
pulumi.export("costAssumptions", cost.assumptions.to_json())

# --- Service quotas: increase requests for what preflight's quota stage says this stack needs ---
if settings.quotas.requests:
    ServiceQuotaRequests(f"{prefix}-quotas", ServiceQuotaRequestsArgs(requests=settings.quotas.requests), aws_opts)
# What the quota stage compares its peaks with.
pulumi.export("quotaRequests", settings.quotas.to_json())
