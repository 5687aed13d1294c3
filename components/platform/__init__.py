"""The platform base every layer builds on: the stack's KMS keys and alarm topic
(``PlatformBaseline``), names and tags, IAM and KMS policy documents, IRSA trust, alarms,
Helm releases, providers for other regions (``RegionProviders``), the one-port security group pattern, Service Quotas requests (``quotas`` section), and the shared config reader
(``Section``, ``ConfigError``) with the ``platform`` section. It imports no other layer.

This module is the package's face: code outside the package imports from here.
"""

from __future__ import annotations

from .alarms import GREATER, LESS, AlarmSpec, create_alarms
from .aws_specs import (
    InstanceShape,
    availability_zones,
    check_offered,
    ec2_instance_types,
    elasticache_engine_versions,
    elasticache_node_types,
    instance_shape,
    known_shape,
    rds_engine_versions,
    rds_instance_classes,
    sagemaker_hosting_instance_types,
    sagemaker_transform_instance_types,
)
from .prices import (
    by_size,
    check_priced,
    ec2_unpriced,
    price_list_path,
    priced_cache_node_types,
    priced_ec2_instance_types,
    priced_sagemaker_instance_types,
    priced_rds_instance_classes,
)
from .quantities import cpu_millicores, memory_bytes
from .baseline import PlatformBaseline, PlatformBaselineArgs
from .name_budget import NAME_BUDGET, check_stack_prefix
from .tag_limits import MAX_OWN_TAGS, MAX_TAGS_PER_RESOURCE, check_default_tags, tag_text_problem
from .config import (
    MISSING,
    ConfigError,
    MissingKeyError,
    Section,
    check_int,
    check_string,
    parse_cidr,
    read_section,
    suggestion,
)
from .helm import MAX_TIMEOUT_SECONDS as MAX_RELEASE_TIMEOUT_SECONDS, ChartRef, local_release, release
from .iam import allow, policy_document, s3_key_statement, service_assume_role_policy, wildcard_grants
from .irsa import irsa_trust_policy, service_account_role
from .component_key import component_key
from .kms_policy import KEY_PURPOSES, account_key_policy, cloudfront_decrypt_statement, key_policy
from .log_retention import LOG_RETENTION_DAYS, check_log_retention
from .naming import ComponentTags, cost_allocation_tags, final_snapshot_identifier, stack_prefix
from .network_access import service_security_group
from .quota_settings import QuotaRequest, QuotaSettings
from .quotas import ServiceQuotaRequests, ServiceQuotaRequestsArgs
from .region_provider import CLOUDFRONT_REGION, RegionProviders, region_provider_name
from .snapshots import unique_final_snapshot
from .settings import RESERVED_TAG_KEYS, PlatformSettings, check_email
from .windows import EXAMPLE_DAILY_WINDOW, EXAMPLE_WEEKLY_WINDOW, check_daily_window, check_weekly_window, windows_overlap

__all__ = [
    "EXAMPLE_DAILY_WINDOW",
    "EXAMPLE_WEEKLY_WINDOW",
    "by_size",
    "check_priced",
    "ec2_unpriced",
    "price_list_path",
    "priced_cache_node_types",
    "priced_ec2_instance_types",
    "priced_sagemaker_instance_types",
    "priced_rds_instance_classes",
    "elasticache_engine_versions",
    "elasticache_node_types",
    "AlarmSpec",
    "CLOUDFRONT_REGION",
    "RegionProviders",
    "region_provider_name",
    "ChartRef",
    "MAX_RELEASE_TIMEOUT_SECONDS",
    "ComponentTags",
    "component_key",
    "ConfigError",
    "GREATER",
    "KEY_PURPOSES",
    "LESS",
    "LOG_RETENTION_DAYS",
    "MISSING",
    "MissingKeyError",
    "read_section",
    "PlatformBaseline",
    "PlatformBaselineArgs",
    "PlatformSettings",
    "QuotaRequest",
    "QuotaSettings",
    "RESERVED_TAG_KEYS",
    "Section",
    "ServiceQuotaRequests",
    "ServiceQuotaRequestsArgs",
    "allow",
    "check_daily_window",
    "check_email",
    "check_int",
    "InstanceShape",
    "availability_zones",
    "check_offered",
    "ec2_instance_types",
    "instance_shape",
    "known_shape",
    "rds_instance_classes",
    "rds_engine_versions",
    "sagemaker_hosting_instance_types",
    "sagemaker_transform_instance_types",
    "cpu_millicores",
    "memory_bytes",
    "NAME_BUDGET",
    "check_stack_prefix",
    "MAX_OWN_TAGS",
    "MAX_TAGS_PER_RESOURCE",
    "check_default_tags",
    "tag_text_problem",
    "suggestion",
    "check_log_retention",
    "check_string",
    "check_weekly_window",
    "cost_allocation_tags",
    "create_alarms",
    "final_snapshot_identifier",
    "irsa_trust_policy",
    "key_policy",
    "account_key_policy",
    "cloudfront_decrypt_statement",
    "local_release",
    "parse_cidr",
    "policy_document",
    "s3_key_statement",
    "release",
    "service_assume_role_policy",
    "service_account_role",
    "service_security_group",
    "stack_prefix",
    "unique_final_snapshot",
    "wildcard_grants",
    "windows_overlap",
]
