"""The BetterPrompts platform: reads the stack's settings and composes the components.

Nothing here decides a size, a count or a toggle: those come from
``Pulumi.<stack>.yaml`` through ``components.settings``.
"""

import pulumi
import pulumi_aws as aws

from components.baseline import PlatformBaseline, PlatformBaselineArgs
from components.cache import RedisCluster, RedisClusterArgs
from components.database import PgvectorDatabase, PgvectorDatabaseArgs
from components.naming import ComponentTags, cost_allocation_tags, stack_prefix
from components.network_plan import Tier
from components.settings import load_settings, read_runtime_config
from components.vpc import ProductionVpc, ProductionVpcArgs

settings = load_settings(read_runtime_config(), project=pulumi.get_project(), stack=pulumi.get_stack())
prefix = stack_prefix(settings.project, settings.stack)
platform = settings.platform

# One AWS provider for the whole stack: the cost-allocation tags ride on it as default tags.
aws_provider = aws.Provider(
    f"{prefix}-aws",
    region=settings.region,
    default_tags=aws.ProviderDefaultTagsArgs(
        tags=cost_allocation_tags(
            project=settings.project,
            environment=settings.stack,
            service=platform.service,
            cost_center=platform.cost_center,
            owner=platform.owner,
            extra=platform.extra_tags,
        )
    ),
)
aws_opts = pulumi.ResourceOptions(providers=[aws_provider])
account_id = aws.get_caller_identity_output(opts=pulumi.InvokeOutputOptions(provider=aws_provider)).account_id

baseline = PlatformBaseline(
    prefix,
    PlatformBaselineArgs(
        region=settings.region,
        account_id=account_id,
        kms_deletion_window_days=platform.kms_deletion_window_days,
        alarm_emails=platform.alarm_emails,
        protect=platform.protect_stateful,
    ),
    aws_opts,
)

network = settings.network
vpc = ProductionVpc(
    f"{prefix}-network",
    ProductionVpcArgs(
        region=settings.region,
        cidr_block=network.vpc_cidr,
        availability_zones=network.availability_zones,
        subnets=network.subnets,
        flow_log_kms_key_arn=baseline.keys["logs"].arn,
        account_id=account_id,
        cluster_name=prefix,
        nat_mode=network.nat_mode,
        nat_instance=network.nat_instance,
        nat_instance_kms_key_arn=baseline.keys["storage"].arn,
        flow_logs=network.flow_logs,
    ),
    aws_opts,
)

# --- Application clients -------------------------------------------------------------------
# The security group application pods and Lambdas attach to in order to reach the data layer.
# Its egress stays inside the VPC. (The EKS node security group joins the data layer's client
# list when the cluster lands.)
app_clients_name = f"{prefix}-app-clients"
app_clients = aws.ec2.SecurityGroup(
    app_clients_name,
    description="Application clients of the data layer: egress inside the VPC only",
    vpc_id=vpc.vpc_id,
    egress=[
        aws.ec2.SecurityGroupEgressArgs(
            description="data layer and other services inside the VPC",
            protocol="tcp",
            from_port=0,
            to_port=65535,
            cidr_blocks=[network.vpc_cidr],
        )
    ],
    tags=ComponentTags("app-clients")(app_clients_name),
    opts=aws_opts,
)
data_clients = [app_clients.id]

# --- Data layer ----------------------------------------------------------------------------
database = PgvectorDatabase(
    f"{prefix}-database",
    PgvectorDatabaseArgs(
        database=settings.database,
        vpc_id=vpc.vpc_id,
        db_subnet_group_name=vpc.db_subnet_group_name,
        client_security_group_ids=data_clients,
        kms_key_arn=baseline.keys["data"].arn,
        log_kms_key_arn=baseline.keys["logs"].arn,
        alarm_topic_arn=baseline.alarm_topic_arn,
        account_id=account_id,
        protect=platform.protect_stateful,
    ),
    aws_opts,
)
cache = RedisCluster(
    f"{prefix}-cache",
    RedisClusterArgs(
        cache=settings.cache,
        vpc_id=vpc.vpc_id,
        cache_subnet_group_name=vpc.cache_subnet_group_name,
        client_security_group_ids=data_clients,
        kms_key_arn=baseline.keys["data"].arn,
        log_kms_key_arn=baseline.keys["logs"].arn,
        alarm_topic_arn=baseline.alarm_topic_arn,
        protect=platform.protect_stateful,
    ),
    aws_opts,
)

pulumi.export("region", settings.region)
pulumi.export("vpcId", vpc.vpc_id)
pulumi.export("vpcCidr", vpc.vpc_cidr)
pulumi.export("subnetIds", {tier.value: vpc.subnet_ids[tier] for tier in Tier})
pulumi.export("dbSubnetGroupName", vpc.db_subnet_group_name)
pulumi.export("cacheSubnetGroupName", vpc.cache_subnet_group_name)
pulumi.export("kmsKeyArns", baseline.key_arns)
pulumi.export("alarmTopicArn", baseline.alarm_topic_arn)
pulumi.export("appClientsSecurityGroupId", app_clients.id)
pulumi.export("databaseAddress", database.address)
pulumi.export("databaseEndpoint", database.endpoint)
pulumi.export("databasePort", database.port)
pulumi.export("databaseName", settings.database.database_name)
pulumi.export("databaseMasterSecretArn", database.master_secret_arn)
pulumi.export("databaseReplicaAddresses", database.replica_addresses)
pulumi.export("cacheConfigurationEndpoint", cache.configuration_endpoint)
pulumi.export("cachePort", cache.port)
pulumi.export("cacheAuthSecretArn", cache.auth_secret_arn)
