"""The BetterPrompts platform: reads the stack's settings and composes the components.

Nothing here decides a size, a count or a toggle: those come from
``Pulumi.<stack>.yaml`` through ``components.settings``.
"""

import pulumi
import pulumi_aws as aws

from components.baseline import PlatformBaseline, PlatformBaselineArgs
from components.cost_controls import CostControls, CostControlsArgs
from components.naming import cost_allocation_tags, stack_prefix
from components.network_plan import Tier
from components.settings import load_settings, read_runtime_config
from components.settings.platform import RESERVED_TAG_KEYS
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
        # Filled when the EKS node groups and the RDS instance join the program.
        node_groups={},
        db_instances={},
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
pulumi.export("budgetName", cost_controls.budget_name)
# What `preflight` and the budget policy price usage with (the plan has no other record of it).
pulumi.export("costAssumptions", cost.assumptions.to_json())
