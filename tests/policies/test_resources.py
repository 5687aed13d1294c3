"""Each resource policy on a violating and a compliant resource, through the real analyzer path."""

from __future__ import annotations

import json

from typing import Any

import jsonschema
import pytest
from policies.pack import ALL_POLICIES
from preflight.policy_stage import evaluate
from tests.policy_plans import KEY, messages, plan, resource, violations

# A replication template as ImageReplication makes it (the DR key, its custom role, the sources' lifecycle).
_TEMPLATE: dict[str, Any] = {
    "prefix": "betterprompts-production",
    "appliedFors": ["REPLICATION"],
    "imageTagMutability": "IMMUTABLE",
    "encryptionConfigurations": [{"encryptionType": "KMS", "kmsKey": KEY}],
    "customRoleArn": "arn:aws:iam::123456789012:role/ecr-templates",
    "lifecyclePolicy": '{"rules": []}',
}

ALIAS_AWS_RDS = "alias/aws/rds"

# (policy, type, violating inputs, fragments of the one message, compliant inputs)
CASES: list[tuple[str, str, dict[str, Any], tuple[str, ...], dict[str, Any]]] = [
    (
        "rds-encrypted-with-cmk",
        "aws:rds/instance:Instance",
        {"storageEncrypted": False, "kmsKeyId": KEY, "publiclyAccessible": False, "deletionProtection": True},
        ("storageEncrypted is False, must be true", "Fix: set storage_encrypted=True"),
        {"storageEncrypted": True, "kmsKeyId": KEY, "deletionProtection": True},
    ),
    (
        "rds-encrypted-with-cmk",
        "aws:rds/cluster:Cluster",
        {"storageEncrypted": True, "kmsKeyId": ALIAS_AWS_RDS, "deletionProtection": True},
        ("kmsKeyId names the AWS-managed key 'alias/aws/rds'", "Fix: set kms_key_id"),
        {"storageEncrypted": True, "kmsKeyId": KEY, "deletionProtection": True},
    ),
    (
        "rds-encrypted-with-cmk",
        "aws:rds/clusterInstance:ClusterInstance",
        {"performanceInsightsEnabled": True},
        ("performanceInsightsKmsKeyId is not set", "Fix: set performance_insights_kms_key_id"),
        {"performanceInsightsEnabled": True, "performanceInsightsKmsKeyId": KEY},
    ),
    (
        "elasticache-encrypted-at-rest",
        "aws:elasticache/replicationGroup:ReplicationGroup",
        {"atRestEncryptionEnabled": True, "transitEncryptionEnabled": True, "subnetGroupName": "cache"},
        ("kmsKeyId is not set", "Fix: set kms_key_id to the stack's data key"),
        {"atRestEncryptionEnabled": True, "kmsKeyId": KEY, "transitEncryptionEnabled": True, "subnetGroupName": "cache"},
    ),
    (
        "elasticache-encrypted-at-rest",
        "aws:elasticache/replicationGroup:ReplicationGroup",
        {"kmsKeyId": KEY, "transitEncryptionEnabled": True, "subnetGroupName": "cache"},
        ("atRestEncryptionEnabled is not set, must be true", "Fix: set at_rest_encryption_enabled=True"),
        {"atRestEncryptionEnabled": True, "kmsKeyId": KEY, "transitEncryptionEnabled": True, "subnetGroupName": "cache"},
    ),
    (
        "ebs-encrypted-with-cmk",
        "aws:ebs/volume:Volume",
        {"availabilityZone": "us-east-1a", "size": 20, "encrypted": True},
        ("volume.kmsKeyId is not set", "Fix: set kms_key_id to the stack's storage key"),
        {"availabilityZone": "us-east-1a", "size": 20, "encrypted": True, "kmsKeyId": KEY},
    ),
    (
        "ebs-encrypted-with-cmk",
        "aws:ec2/launchTemplate:LaunchTemplate",
        {"blockDeviceMappings": [{"deviceName": "/dev/xvda", "ebs": {"encrypted": "false", "kmsKeyId": KEY}}]},
        ("blockDeviceMappings[0].ebs.encrypted is 'false', must be true",),
        {"blockDeviceMappings": [{"deviceName": "/dev/xvda", "ebs": {"encrypted": "true", "kmsKeyId": KEY}}]},
    ),
    (
        "ebs-encrypted-with-cmk",
        "aws:ec2/instance:Instance",
        {"ami": "ami-1", "instanceType": "t4g.nano", "rootBlockDevice": {"encrypted": True}},
        ("rootBlockDevice.kmsKeyId is not set",),
        {"ami": "ami-1", "instanceType": "t4g.nano", "rootBlockDevice": {"encrypted": True, "kmsKeyId": KEY}},
    ),
    (
        "efs-encrypted-with-cmk",
        "aws:efs/fileSystem:FileSystem",
        {"encrypted": False, "kmsKeyId": KEY},
        ("encrypted is False, must be true", "Fix: set encrypted=True"),
        {"encrypted": True, "kmsKeyId": KEY},
    ),
    (
        "eks-secrets-encrypted",
        "eks:index:Cluster",
        {"vpcId": "vpc-1"},
        ("encryptionConfigKeyArn is not set", "Fix: set encryption_config_key_arn"),
        {"vpcId": "vpc-1", "encryptionConfigKeyArn": KEY},
    ),
    (
        "eks-secrets-encrypted",
        "aws:eks/cluster:Cluster",
        {"roleArn": "arn:aws:iam::123456789012:role/eks", "vpcConfig": {"subnetIds": ["subnet-1"]}},
        ("encryptionConfig is not set", "Fix: set encryption_config with resources=['secrets']"),
        {"roleArn": "arn:aws:iam::123456789012:role/eks", "encryptionConfig": {"provider": {"keyArn": KEY}, "resources": ["secrets"]}},
    ),
    (
        "eks-secrets-encrypted",
        "aws:eks/cluster:Cluster",
        {"encryptionConfig": {"provider": {"keyArn": KEY}, "resources": []}},
        ("encryptionConfig.resources is [], must include 'secrets'",),
        {"encryptionConfig": {"provider": {"keyArn": KEY}, "resources": ["secrets"]}},
    ),
    (
        "sagemaker-endpoint-encrypted",
        "aws:sagemaker/endpointConfiguration:EndpointConfiguration",
        {"productionVariants": [{"modelName": "m", "variantName": "v", "instanceType": "ml.c6i.xlarge"}]},
        ("kmsKeyArn is not set", "Fix: set kms_key_arn to the stack's data key"),
        {"productionVariants": [{"modelName": "m", "variantName": "v", "instanceType": "ml.c6i.xlarge"}], "kmsKeyArn": KEY},
    ),
    (
        # One EBS-backed variant beside a local-NVMe one: the key is required (and accepted).
        "sagemaker-endpoint-encrypted",
        "aws:sagemaker/endpointConfiguration:EndpointConfiguration",
        {"productionVariants": [{"variantName": "a", "instanceType": "ml.g4dn.xlarge"},
                                {"variantName": "b", "instanceType": "ml.m5.large"}]},
        ("kmsKeyArn is not set",),
        {"productionVariants": [{"variantName": "a", "instanceType": "ml.m5.large"}], "kmsKeyArn": KEY},
    ),
    (
        "iam-no-wildcard-grants",
        "aws:iam/rolePolicy:RolePolicy",
        {"role": "r", "policy": json.dumps({"Version": "2012-10-17", "Statement": [{"Sid": "All", "Effect": "Allow", "Action": "s3:*", "Resource": "*"}]})},
        ("policy statement All allows s3:* on every resource", "Fix: name the actions"),
        {"role": "r", "policy": json.dumps({"Version": "2012-10-17", "Statement": [{"Sid": "Read", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]})},
    ),
    (
        "iam-no-wildcard-grants",
        "aws:iam/role:Role",
        {"assumeRolePolicy": "{}", "inlinePolicies": [{"name": "p", "policy": json.dumps({"Statement": [{"Effect": "Allow", "Action": ["*"], "Resource": ["*"]}]})}]},
        ("inlinePolicies[0].policy statement (no Sid) allows ['*'] on every resource",),
        {"assumeRolePolicy": "{}", "inlinePolicies": [{"name": "p", "policy": json.dumps({"Statement": [{"Effect": "Allow", "Action": ["sqs:SendMessage"], "Resource": ["arn:aws:sqs:us-east-1:123456789012:q"]}]})}]},
    ),
    (
        "iam-oidc-trust-pins-subject",
        "aws:iam/role:Role",
        {"assumeRolePolicy": json.dumps({"Version": "2012-10-17", "Statement": [{"Sid": "Gha", "Effect": "Allow", "Principal": {"Federated": "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"}, "Action": "sts:AssumeRoleWithWebIdentity", "Condition": {"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}, "StringLike": {"token.actions.githubusercontent.com:sub": "repo:betterprompts/*"}}}]})},
        ("Gha matches token.actions.githubusercontent.com:sub against the pattern(s) ['repo:betterprompts/*']", "Fix: condition StringEquals"),
        {"assumeRolePolicy": json.dumps({"Version": "2012-10-17", "Statement": [{"Sid": "Gha", "Effect": "Allow", "Principal": {"Federated": "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"}, "Action": "sts:AssumeRoleWithWebIdentity", "Condition": {"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com", "token.actions.githubusercontent.com:sub": "repo:betterprompts/app:environment:production"}}}]})},
    ),
    (
        "log-group-encrypted-with-cmk",
        "aws:cloudwatch/logGroup:LogGroup",
        {"retentionInDays": 30},
        ("kmsKeyId is not set", "Fix: set kms_key_id to the stack's logs key"),
        {"retentionInDays": 30, "kmsKeyId": KEY},
    ),
    (
        "log-group-retention-set",
        "aws:cloudwatch/logGroup:LogGroup",
        {"kmsKeyId": KEY},
        ("retentionInDays is not set, so its events are kept (and billed) forever", "Fix: set retention_in_days"),
        {"kmsKeyId": KEY, "retentionInDays": 365.0},
    ),
    (
        "cloudtrail-encrypted-and-validated",
        "aws:cloudtrail/trail:Trail",
        {"s3BucketName": "logs", "enableLogFileValidation": True},
        ("kmsKeyId is not set", "Fix: set kms_key_id to a customer-managed key whose policy admits CloudTrail"),
        {"s3BucketName": "logs", "enableLogFileValidation": True, "kmsKeyId": KEY},
    ),
    (
        "cloudtrail-encrypted-and-validated",
        "aws:cloudtrail/trail:Trail",
        {"s3BucketName": "logs", "kmsKeyId": KEY},
        ("enableLogFileValidation is not set, must be true", "Fix: set enable_log_file_validation=True"),
        {"s3BucketName": "logs", "enableLogFileValidation": True, "kmsKeyId": KEY},
    ),
    (
        "firehose-encrypted",
        "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream",
        {"destination": "extended_s3", "extendedS3Configuration": {"bucketArn": "arn:aws:s3:::logs", "roleArn": "r", "kmsKeyArn": KEY}},
        ("serverSideEncryption is not enabled", "Fix: server_side_encryption=enabled, key_type CUSTOMER_MANAGED_CMK"),
        {
            "destination": "extended_s3",
            "serverSideEncryption": {"enabled": True, "keyType": "CUSTOMER_MANAGED_CMK", "keyArn": KEY},
            "extendedS3Configuration": {"bucketArn": "arn:aws:s3:::logs", "roleArn": "r", "kmsKeyArn": KEY},
        },
    ),
    (
        "amp-workspace-encrypted-and-logged",
        "aws:amp/workspace:Workspace",
        {"alias": "m", "loggingConfiguration": {"logGroupArn": "arn:aws:logs:us-east-1:123456789012:log-group:/aws/vendedlogs/prometheus/p:*"}},
        ("kmsKeyArn is not set", "Fix: set kms_key_arn to a customer-managed key whose policy admits AMP"),
        {"alias": "m", "kmsKeyArn": KEY, "loggingConfiguration": {"logGroupArn": "arn:aws:logs:us-east-1:123456789012:log-group:/aws/vendedlogs/prometheus/p:*"}},
    ),
    (
        "amp-workspace-encrypted-and-logged",
        "aws:amp/workspace:Workspace",
        {"alias": "m", "kmsKeyArn": KEY},
        ("loggingConfiguration.logGroupArn is not set, so rejected samples and rule errors are recorded nowhere",),
        {"alias": "m", "kmsKeyArn": KEY, "loggingConfiguration": {"logGroupArn": "arn:aws:logs:us-east-1:123456789012:log-group:/aws/vendedlogs/prometheus/p:*"}},
    ),
    (
        "sqs-queue-encrypted-with-cmk",
        "aws:sqs/queue:Queue",
        {"sqsManagedSseEnabled": True},
        ("kmsMasterKeyId is not set", "Fix: set kms_master_key_id to the stack's data key"),
        {"kmsMasterKeyId": KEY},
    ),
    (
        "sns-topic-encrypted-with-cmk",
        "aws:sns/topic:Topic",
        {"kmsMasterKeyId": "alias/aws/sns"},
        ("kmsMasterKeyId names the AWS-managed key 'alias/aws/sns'",),
        {"kmsMasterKeyId": KEY},
    ),
    (
        "secret-encrypted-with-cmk",
        "aws:secretsmanager/secret:Secret",
        {"description": "db password"},
        ("kmsKeyId is not set", "Fix: set kms_key_id to the stack's data key"),
        {"description": "db password", "kmsKeyId": KEY},
    ),
    (
        "kms-key-rotation-enabled",
        "aws:kms/key:Key",
        {"description": "data"},
        ("enableKeyRotation is not set, must be true", "Fix: set enable_key_rotation=True"),
        {"description": "data", "enableKeyRotation": True},
    ),
    (
        "scheduler-schedule-encrypted-with-cmk",
        "aws:scheduler/schedule:Schedule",
        {"scheduleExpression": "cron(0 20 ? * MON-FRI *)", "flexibleTimeWindow": {"mode": "OFF"}},
        ("kmsKeyArn is not set", "Fix: set kms_key_arn"),
        {"scheduleExpression": "cron(0 20 ? * MON-FRI *)", "flexibleTimeWindow": {"mode": "OFF"}, "kmsKeyArn": KEY},
    ),
    (
        "elasticache-encrypted-in-transit",
        "aws:elasticache/replicationGroup:ReplicationGroup",
        {"atRestEncryptionEnabled": True, "kmsKeyId": KEY, "transitEncryptionEnabled": False, "subnetGroupName": "cache"},
        ("transitEncryptionEnabled is False, must be true", "Fix: set transit_encryption_enabled=True"),
        {"atRestEncryptionEnabled": True, "kmsKeyId": KEY, "transitEncryptionEnabled": True, "subnetGroupName": "cache"},
    ),
    (
        "elasticache-encrypted-in-transit",
        "aws:elasticache/replicationGroup:ReplicationGroup",
        {"atRestEncryptionEnabled": True, "kmsKeyId": KEY, "transitEncryptionEnabled": True, "transitEncryptionMode": "preferred", "subnetGroupName": "c"},
        ("transitEncryptionMode is 'preferred'", "Fix: set transit_encryption_mode='required'"),
        {"atRestEncryptionEnabled": True, "kmsKeyId": KEY, "transitEncryptionEnabled": True, "transitEncryptionMode": "required", "subnetGroupName": "c"},
    ),
    (
        "rds-parameter-group-forces-ssl",
        "aws:rds/parameterGroup:ParameterGroup",
        {"family": "postgres16", "parameters": [{"name": "log_statement", "value": "ddl"}]},
        ("parameter rds.force_ssl is not set for family 'postgres16'", "Fix: add parameters=[{'name': 'rds.force_ssl', 'value': '1'}]"),
        {"family": "postgres16", "parameters": [{"name": "rds.force_ssl", "value": "1", "applyMethod": "pending-reboot"}]},
    ),
    (
        "rds-parameter-group-forces-ssl",
        "aws:rds/clusterParameterGroup:ClusterParameterGroup",
        {"family": "aurora-mysql8.0", "parameters": [{"name": "require_secure_transport", "value": "OFF"}]},
        ("parameter require_secure_transport is 'OFF'",),
        {"family": "aurora-mysql8.0", "parameters": [{"name": "require_secure_transport", "value": "ON"}]},
    ),
    (
        "load-balancer-listeners-https-tls13",
        "aws:lb/listener:Listener",
        {"loadBalancerArn": "arn:lb", "port": 80, "protocol": "HTTP", "defaultActions": [{"type": "forward", "targetGroupArn": "arn:tg"}]},
        ("protocol HTTP serves traffic in plaintext", "Fix: make it a redirect"),
        {
            "loadBalancerArn": "arn:lb",
            "port": 80,
            "protocol": "HTTP",
            "defaultActions": [{"type": "redirect", "redirect": {"protocol": "HTTPS", "port": "443", "statusCode": "HTTP_301"}}],
        },
    ),
    (
        "load-balancer-listeners-https-tls13",
        "aws:lb/listener:Listener",
        {"loadBalancerArn": "arn:lb", "port": 443, "protocol": "HTTPS", "sslPolicy": "ELBSecurityPolicy-TLS-1-2-2017-01"},
        ("sslPolicy is 'ELBSecurityPolicy-TLS-1-2-2017-01'", "Fix: ssl_policy='ELBSecurityPolicy-TLS13-1-2-2021-06'"),
        {"loadBalancerArn": "arn:lb", "port": 443, "protocol": "HTTPS", "sslPolicy": "ELBSecurityPolicy-TLS13-1-2-2021-06"},
    ),
    (
        "load-balancer-hardened",
        "aws:lb/loadBalancer:LoadBalancer",
        {"loadBalancerType": "application", "dropInvalidHeaderFields": False, "enableDeletionProtection": True,
         "accessLogs": {"bucket": "logs", "prefix": "alb", "enabled": True}},
        ("dropInvalidHeaderFields is False, must be true", "Fix: set drop_invalid_header_fields=True"),
        # Internal: an internet-facing one also needs a WAF association (a stack policy, tests/policies/test_waf.py).
        {"loadBalancerType": "application", "internal": True, "dropInvalidHeaderFields": True, "enableDeletionProtection": True,
         "accessLogs": {"bucket": "logs", "prefix": "alb", "enabled": True}},
    ),
    (
        "cloudfront-https-tls12",
        "aws:cloudfront/distribution:Distribution",
        {
            "defaultCacheBehavior": {"viewerProtocolPolicy": "allow-all"},
            "viewerCertificate": {"acmCertificateArn": "arn:acm", "minimumProtocolVersion": "TLSv1.2_2021"},
        },
        ("defaultCacheBehavior.viewerProtocolPolicy is 'allow-all'", "Fix: set viewer_protocol_policy='redirect-to-https'"),
        {
            "defaultCacheBehavior": {"viewerProtocolPolicy": "redirect-to-https"},
            "orderedCacheBehaviors": [{"pathPattern": "/api/*", "viewerProtocolPolicy": "https-only"}],
            "viewerCertificate": {"acmCertificateArn": "arn:acm", "minimumProtocolVersion": "TLSv1.2_2021"},
            "webAclId": "arn:aws:wafv2:us-east-1:123456789012:global/webacl/site/1",
            "loggingConfig": {"bucket": "logs.s3.amazonaws.com"},
        },
    ),
    (
        "cloudfront-https-tls12",
        "aws:cloudfront/distribution:Distribution",
        {
            "defaultCacheBehavior": {"viewerProtocolPolicy": "https-only"},
            "viewerCertificate": {"acmCertificateArn": "arn:acm", "minimumProtocolVersion": "TLSv1_2016"},
        },
        ("viewerCertificate.minimumProtocolVersion is 'TLSv1_2016'", "Fix: minimum_protocol_version='TLSv1.2_2021'"),
        {
            "defaultCacheBehavior": {"viewerProtocolPolicy": "https-only"},
            "viewerCertificate": {"acmCertificateArn": "arn:acm", "minimumProtocolVersion": "TLSv1.2_2019"},
            "webAclId": "arn:aws:wafv2:us-east-1:123456789012:global/webacl/site/1",
            "loggingConfig": {"bucket": "logs.s3.amazonaws.com"},
        },
    ),
    (
        "no-public-databases",
        "aws:rds/instance:Instance",
        {"storageEncrypted": True, "kmsKeyId": KEY, "publiclyAccessible": True, "deletionProtection": True},
        ("publiclyAccessible is true", "Fix: set publicly_accessible=False"),
        {"storageEncrypted": True, "kmsKeyId": KEY, "publiclyAccessible": False, "deletionProtection": True},
    ),
    (
        "no-public-databases",
        "aws:elasticache/replicationGroup:ReplicationGroup",
        {"atRestEncryptionEnabled": True, "kmsKeyId": KEY, "transitEncryptionEnabled": True},
        ("subnetGroupName is not set", "Fix: subnet_group_name = the VPC's cache subnet group"),
        {"atRestEncryptionEnabled": True, "kmsKeyId": KEY, "transitEncryptionEnabled": True, "subnetGroupName": "cache"},
    ),
    (
        "security-group-public-ingress-web-only",
        "aws:ec2/securityGroup:SecurityGroup",
        {"ingress": [{"protocol": "tcp", "fromPort": 22, "toPort": 22, "cidrBlocks": ["0.0.0.0/0"]}]},
        ("ingress[0] opens tcp 22-22 to 0.0.0.0/0", "Fix: allow 0.0.0.0/0 and ::/0 only on tcp 80/443"),
        {
            "ingress": [
                {"protocol": "tcp", "fromPort": 443, "toPort": 443, "cidrBlocks": ["0.0.0.0/0"], "ipv6CidrBlocks": ["::/0"]},
                {"protocol": "tcp", "fromPort": 80, "toPort": 80, "cidrBlocks": ["0.0.0.0/0"]},
                {"protocol": "-1", "fromPort": 0, "toPort": 0, "cidrBlocks": ["10.0.0.0/16"]},
            ]
        },
    ),
    (
        "ecr-repository-immutable-scanned-cmk",
        "aws:ecr/repository:Repository",
        {"imageTagMutability": "MUTABLE", "imageScanningConfiguration": {"scanOnPush": True}, "encryptionConfigurations": [{"encryptionType": "KMS", "kmsKey": KEY}]},
        ("imageTagMutability is 'MUTABLE', must be 'IMMUTABLE'",),
        {"imageTagMutability": "IMMUTABLE", "imageScanningConfiguration": {"scanOnPush": True}, "encryptionConfigurations": [{"encryptionType": "KMS", "kmsKey": KEY}]},
    ),
    (
        "ecr-repository-immutable-scanned-cmk",
        "aws:ecr/repository:Repository",
        {"imageTagMutability": "IMMUTABLE", "imageScanningConfiguration": {"scanOnPush": False}, "encryptionConfigurations": [{"encryptionType": "KMS", "kmsKey": KEY}]},
        ("imageScanningConfiguration.scanOnPush is False, must be true",),
        {"imageTagMutability": "IMMUTABLE", "imageScanningConfiguration": {"scanOnPush": True}, "encryptionConfigurations": [{"encryptionType": "KMS", "kmsKey": KEY}]},
    ),
    (
        "ecr-repository-immutable-scanned-cmk",
        "aws:ecr/repository:Repository",
        {"imageTagMutability": "IMMUTABLE", "imageScanningConfiguration": {"scanOnPush": True}, "encryptionConfigurations": [{"encryptionType": "KMS"}]},
        ("encryptionConfigurations[0].kmsKey is not set",),
        {"imageTagMutability": "IMMUTABLE", "imageScanningConfiguration": {"scanOnPush": True}, "encryptionConfigurations": [{"encryptionType": "KMS", "kmsKey": KEY}]},
    ),
    (
        "ecr-repository-immutable-scanned-cmk",
        "aws:ecr/repository:Repository",
        {"imageTagMutability": "IMMUTABLE", "imageScanningConfiguration": {"scanOnPush": True}, "encryptionConfigurations": [{"encryptionType": "AES256"}]},
        ("encryptionType is AES256, must be KMS",),
        {"imageTagMutability": "IMMUTABLE", "imageScanningConfiguration": {"scanOnPush": True}, "encryptionConfigurations": [{"encryptionType": "KMS", "kmsKey": KEY}]},
    ),
    (
        "ecr-repository-immutable-scanned-cmk",
        "aws:ecr/repository:Repository",
        {"imageTagMutability": "IMMUTABLE", "imageScanningConfiguration": {"scanOnPush": True}},
        ("encryptionType is not set (AES256), must be KMS",),
        {"imageTagMutability": "IMMUTABLE", "imageScanningConfiguration": {"scanOnPush": True}, "encryptionConfigurations": [{"encryptionType": "KMS", "kmsKey": KEY}]},
    ),
    (
        "ecr-creation-template-immutable-cmk",
        "aws:ecr/repositoryCreationTemplate:RepositoryCreationTemplate",
        {**_TEMPLATE, "encryptionConfigurations": None},
        ("encryptionType is not set (AES256), must be KMS",),
        _TEMPLATE,
    ),
    (
        "ecr-creation-template-immutable-cmk",
        "aws:ecr/repositoryCreationTemplate:RepositoryCreationTemplate",
        {**_TEMPLATE, "encryptionConfigurations": [{"encryptionType": "KMS"}]},
        ("encryptionConfigurations[0].kmsKey is not set",),
        _TEMPLATE,
    ),
    (
        "ecr-creation-template-immutable-cmk",
        "aws:ecr/repositoryCreationTemplate:RepositoryCreationTemplate",
        {**_TEMPLATE, "imageTagMutability": None},
        ("imageTagMutability is not set (MUTABLE), must be 'IMMUTABLE'",),
        _TEMPLATE,
    ),
    (
        "ecr-creation-template-immutable-cmk",
        "aws:ecr/repositoryCreationTemplate:RepositoryCreationTemplate",
        {**_TEMPLATE, "customRoleArn": None},
        ("customRoleArn is not set, so ECR cannot grant itself the KMS key",),
        _TEMPLATE,
    ),
    (
        "ecr-creation-template-immutable-cmk",
        "aws:ecr/repositoryCreationTemplate:RepositoryCreationTemplate",
        {**_TEMPLATE, "lifecyclePolicy": None},
        ("lifecyclePolicy is not set",),
        _TEMPLATE,
    ),
    (
        "security-group-public-ingress-web-only",
        "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
        {"securityGroupId": "sg-1", "ipProtocol": "-1", "cidrIpv6": "::/0"},
        ("rule opens all ports to ::/0",),
        {"securityGroupId": "sg-1", "ipProtocol": "tcp", "fromPort": 443, "toPort": 443, "cidrIpv6": "::/0"},
    ),
    (
        "security-group-public-ingress-web-only",
        "aws:ec2/securityGroupRule:SecurityGroupRule",
        {"type": "ingress", "securityGroupId": "sg-1", "protocol": "tcp", "fromPort": 0, "toPort": 65535, "cidrBlocks": ["0.0.0.0/0"]},
        ("rule opens tcp 0-65535 to 0.0.0.0/0",),
        {"type": "egress", "securityGroupId": "sg-1", "protocol": "-1", "fromPort": 0, "toPort": 0, "cidrBlocks": ["0.0.0.0/0"]},
    ),
    (
        "backup-vault-encrypted-with-cmk",
        "aws:backup/vault:Vault",
        {"name": "vault"},
        ("kmsKeyArn is not set", "Fix: set kms_key_arn"),
        {"name": "vault", "kmsKeyArn": KEY},
    ),
    # REST stages' access logs are judged in tests/serverless/test_api_pack.py (a lone stage has no WAF association).
    (
        "apigateway-stage-access-logged-tls",
        "aws:apigateway/domainName:DomainName",
        {"domainName": "hooks.example.com", "securityPolicy": "TLS_1_0", "endpointConfiguration": {"types": "REGIONAL"}},
        ("securityPolicy is 'TLS_1_0', which accepts TLS 1.0", "Fix: security_policy='TLS_1_2'"),
        {"domainName": "hooks.example.com", "securityPolicy": "TLS_1_2", "endpointConfiguration": {"types": "REGIONAL"}},
    ),
    (
        "apigateway-stage-access-logged-tls",
        "aws:apigateway/restApi:RestApi",
        {"name": "api", "endpointConfiguration": {"types": "REGIONAL"}},
        ("default execute-api endpoint is on and securityPolicy is not set", "disable_execute_api_endpoint=True"),
        {"name": "api", "endpointConfiguration": {"types": "REGIONAL"}, "securityPolicy": "TLS_1_2"},
    ),
    (
        "replication-destinations-encrypted-with-cmk",
        "aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication",
        {"sourceDbInstanceArn": "arn:aws:rds:us-east-1:123456789012:db:db", "kmsKeyId": "alias/aws/rds"},
        ("kmsKeyId names the AWS-managed key 'alias/aws/rds'", "Fix: set kms_key_id"),
        {"sourceDbInstanceArn": "arn:aws:rds:us-east-1:123456789012:db:db", "kmsKeyId": KEY},
    ),
    (
        "replication-destinations-encrypted-with-cmk",
        "aws:efs/replicationConfiguration:ReplicationConfiguration",
        {"sourceFileSystemId": "fs-1", "destination": {"region": "us-west-2"}},
        ("destination.kmsKeyId is not set", "Fix: set destination.kms_key_id"),
        {"sourceFileSystemId": "fs-1", "destination": {"region": "us-west-2", "kmsKeyId": KEY}},
    ),
    # A cross-Region read replica (pulumi-aws 7's per-resource region here; the provider's Region otherwise).
    (
        "replication-destinations-encrypted-with-cmk",
        "aws:rds/instance:Instance",
        {"region": "us-west-2", "replicateSourceDb": "arn:aws:rds:us-east-1:123456789012:db:db", "storageEncrypted": True,
         "kmsKeyId": "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"},
        ("kmsKeyId is a key of us-east-1, but the replica is in us-west-2", "KMS keys never leave their Region", "Fix: a customer-managed key in us-west-2"),
        {"region": "us-west-2", "replicateSourceDb": "arn:aws:rds:us-east-1:123456789012:db:db", "storageEncrypted": True,
         "kmsKeyId": "arn:aws:kms:us-west-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab", "deletionProtection": True},
    ),
    (
        "replication-destinations-encrypted-with-cmk",
        "aws:rds/instance:Instance",
        {"region": "us-west-2", "replicateSourceDb": "arn:aws:rds:us-east-1:123456789012:db:db", "storageEncrypted": True},
        ("kmsKeyId is not set", "Fix: set kms_key_id to a customer-managed key in us-west-2"),
        # A same-Region replica is not this policy's (rds-encrypted-with-cmk still wants its key named).
        {"region": "us-east-1", "replicateSourceDb": "arn:aws:rds:us-east-1:123456789012:db:db", "storageEncrypted": True, "kmsKeyId": KEY,
         "deletionProtection": True},
    ),
    (
        "route53-failover-primary-health-checked",
        "aws:route53/record:Record",
        {"zoneId": "Z1", "name": "example.com", "type": "A", "setIdentifier": "primary", "failoverRoutingPolicies": [{"type": "PRIMARY"}],
         "aliases": [{"name": "d1.cloudfront.net", "zoneId": "Z2FDTNDATAQYW2", "evaluateTargetHealth": False}]},
        ("a PRIMARY failover record with neither a healthCheckId", "it never fails over", "Fix: health_check_id="),
        {"zoneId": "Z1", "name": "example.com", "type": "A", "setIdentifier": "primary", "failoverRoutingPolicies": [{"type": "PRIMARY"}],
         "healthCheckId": "abcd-1234", "aliases": [{"name": "d1.cloudfront.net", "zoneId": "Z2FDTNDATAQYW2", "evaluateTargetHealth": False}]},
    ),
    (
        "route53-failover-primary-health-checked",
        "aws:route53/record:Record",
        {"zoneId": "Z1", "name": "example.com", "type": "A", "aliases": [{"name": "d1.cloudfront.net", "zoneId": "Z2FDTNDATAQYW2", "evaluateTargetHealth": True}]},
        ("targets a CloudFront distribution with evaluateTargetHealth true, which Route 53 refuses",),
        # A PRIMARY aliasing a load balancer may rely on its target's health instead of a check.
        {"zoneId": "Z1", "name": "example.com", "type": "A", "setIdentifier": "primary", "failoverRoutingPolicies": [{"type": "PRIMARY"}],
         "aliases": [{"name": "dualstack.lb.us-east-1.elb.amazonaws.com", "zoneId": "Z35SXDOTRQ7X7K", "evaluateTargetHealth": True}]},
    ),
    # --- serverless (policies/serverless.py) ---
    (
        "lambda-function-hardened",
        "aws:lambda/function:Function",
        {"name": "fn", "environment": {"variables": {"A": "b"}}, "tracingConfig": {"mode": "Active"}, "deadLetterConfig": {"targetArn": "arn:aws:sqs:us-east-1:123456789012:elsewhere"}},
        ("kmsKeyArn is not set", "Fix: set kms_key_arn to the stack's data key"),
        {"name": "fn", "kmsKeyArn": KEY, "environment": {"variables": {"A": "b"}}, "tracingConfig": {"mode": "Active"}, "deadLetterConfig": {"targetArn": "arn:aws:sqs:us-east-1:123456789012:elsewhere"}},
    ),
    (
        "lambda-function-hardened",
        "aws:lambda/function:Function",
        {"name": "fn", "tracingConfig": {"mode": "PassThrough"}, "deadLetterConfig": {"targetArn": "arn:aws:sqs:us-east-1:123456789012:elsewhere"}},
        ("tracingConfig.mode is 'PassThrough', must be 'Active'",),
        {"name": "fn", "tracingConfig": {"mode": "Active"}, "deadLetterConfig": {"targetArn": "arn:aws:sqs:us-east-1:123456789012:elsewhere"}},
    ),
    (
        "lambda-no-function-url-without-auth",
        "aws:lambda/functionUrl:FunctionUrl",
        {"functionName": "fn", "authorizationType": "NONE"},
        ("anyone on the internet can invoke the function", "Fix: authorization_type='AWS_IAM'"),
        {"functionName": "fn", "authorizationType": "AWS_IAM"},
    ),
    (
        "lambda-no-function-url-without-auth",
        "aws:lambda/permission:Permission",
        {"action": "lambda:InvokeFunctionUrl", "function": "fn", "principal": "*", "functionUrlAuthType": "NONE"},
        ("functionUrlAuthType NONE",),
        # IAM auth, and the grant pinned to this account (a bare '*' is every AWS account: resource-policies-not-public).
        {"action": "lambda:InvokeFunctionUrl", "function": "fn", "principal": "*", "functionUrlAuthType": "AWS_IAM", "sourceAccount": "123456789012"},
    ),
    (
        "replication-destinations-encrypted-with-cmk",
        "aws:s3/bucketReplicationConfig:BucketReplicationConfig",
        {
            "bucket": "src",
            "role": "arn:aws:iam::123456789012:role/r",
            "rules": [{"status": "Enabled", "sourceSelectionCriteria": {"sseKmsEncryptedObjects": {"status": "Enabled"}}, "destination": {"bucket": "arn:aws:s3:::dst"}}],
        },
        ("rules[0].destination.encryptionConfiguration.replicaKmsKeyId is not set", "Fix: set replica_kms_key_id"),
        {
            "bucket": "src",
            "role": "arn:aws:iam::123456789012:role/r",
            "rules": [
                {
                    "status": "Enabled",
                    "sourceSelectionCriteria": {"sseKmsEncryptedObjects": {"status": "Enabled"}},
                    "destination": {"bucket": "arn:aws:s3:::dst", "encryptionConfiguration": {"replicaKmsKeyId": KEY}},
                }
            ],
        },
    ),
]


@pytest.mark.parametrize(("policy", "type_", "bad", "fragments", "good"), CASES, ids=[f"{c[0]}:{c[1].split(':')[-1]}" for c in CASES])
def test_policy_flags_the_violation_and_passes_the_fix(
    policy: str, type_: str, bad: dict[str, Any], fragments: tuple[str, ...], good: dict[str, Any]
) -> None:
    flagged = violations(plan(resource(type_, "subject", bad)), policy)
    assert len(flagged) == 1, flagged
    assert flagged[0].enforcement == "mandatory"
    assert flagged[0].urn == f"urn:pulumi:production::betterprompts::{type_}::subject"
    assert flagged[0].message.startswith(f"{type_} 'subject': ")
    for fragment in fragments:
        assert fragment in flagged[0].message

    # The compliant version passes every policy of the pack, not only this one (the FSBP hardening
    # rules aside: they have their own cases in test_fsbp_policies.py).
    assert violations(plan(resource(type_, "subject", good, protect=True)), hardening=False) == []


def test_local_nvme_endpoint_configs_are_exempt_because_sagemaker_refuses_a_key() -> None:
    config = {"productionVariants": [{"variantName": "a", "instanceType": "ml.g4dn.xlarge"}]}
    type_ = "aws:sagemaker/endpointConfiguration:EndpointConfiguration"
    assert violations(plan(resource(type_, "subject", config)), "sagemaker-endpoint-encrypted") == []


def test_every_resource_policy_has_a_case() -> None:
    from policies.pack import ALL_POLICIES
    from pulumi_policy import ResourceValidationPolicy

    # The lifecycle policies judge a date: tests/policies/test_lifecycle.py fixes it.
    from tests.policies.test_fsbp_policies import CASES as SDK_CASES, OLDER_CASES

    covered = {case[0] for case in CASES + SDK_CASES + OLDER_CASES} | {
        "required-cost-allocation-tags",
        "production-deletion-protection",
        "eks-version-in-standard-support",
        "eks-standard-support-ending",
    }
    resource_policies = {p.name for p in ALL_POLICIES if isinstance(p, ResourceValidationPolicy)}
    assert resource_policies <= covered


# --- production data safety reads the stack ----------------------------------------------

DATABASE = {"storageEncrypted": True, "kmsKeyId": KEY, "deletionProtection": False, "skipFinalSnapshot": True}


def test_production_databases_need_deletion_protection_final_snapshot_and_protect() -> None:
    found = messages(plan(resource("aws:rds/instance:Instance", "db", DATABASE)), "production-deletion-protection")
    assert found == [
        "aws:rds/instance:Instance 'db': deletionProtection is False, must be true. Fix: set deletion_protection=True (protect_stateful)",
        "aws:rds/instance:Instance 'db': skipFinalSnapshot is true, so deleting it loses the data. "
        "Fix: skip_final_snapshot=False with a final_snapshot_identifier",
        "aws:rds/instance:Instance 'db': the resource option protect is off, so `pulumi destroy` or a replacement can delete it. "
        "Fix: opts=ResourceOptions(protect=<protect_stateful>)",
    ]
    protected = dict(DATABASE, deletionProtection=True, skipFinalSnapshot=False, finalSnapshotIdentifier="db-final")
    assert violations(plan(resource("aws:rds/instance:Instance", "db", protected, protect=True)), hardening=False) == []


def test_a_production_read_replica_needs_no_final_snapshot() -> None:
    # RDS refuses a final snapshot of a replica; the primary keeps the data.
    replica = dict(DATABASE, deletionProtection=True, replicateSourceDb="arn:aws:rds:us-east-1:123456789012:db:primary")
    flagged = violations(plan(resource("aws:rds/instance:Instance", "replica", replica, protect=True)), "production-deletion-protection")
    assert flagged == []


def test_staging_databases_may_drop_deletion_protection() -> None:
    document = plan(resource("aws:rds/instance:Instance", "db", DATABASE, stack="staging"), stack="staging")
    assert violations(document, hardening=False) == []


def test_the_pilot_light_is_judged_as_production_because_its_config_names_it() -> None:
    # policies/config/dr.json: "stacks": ["dr"]. After a failover the dr stack holds production's data.
    document = plan(resource("aws:rds/instance:Instance", "db", DATABASE, stack="dr"), stack="dr")
    assert len(messages(document, "production-deletion-protection")) == 3
    # The same stack with the policy's default scope (production alone) is not judged.
    unscoped = {"production-deletion-protection": "mandatory", "all": "disabled"}
    assert evaluate(document, policies=[p for p in ALL_POLICIES if p.name == "production-deletion-protection"], config=unscoped) == []
    # And a config may name staging too: then staging is held to it.
    staged = plan(resource("aws:rds/instance:Instance", "db", DATABASE, stack="staging"), stack="staging")
    scoped = {"production-deletion-protection": {"enforcementLevel": "mandatory", "stacks": ["staging"]}}
    assert len(evaluate(staged, policies=[p for p in ALL_POLICIES if p.name == "production-deletion-protection"], config=scoped)) == 3


@pytest.mark.parametrize("stacks", [[], "dr", [""]])
def test_a_malformed_production_scope_is_refused_by_the_policy_s_schema(stacks: Any) -> None:
    (policy,) = [p for p in ALL_POLICIES if p.name == "production-deletion-protection"]
    schema = policy.config_schema
    assert schema is not None
    jsonschema.validate({"stacks": ["dr"]}, {"type": "object", "properties": schema.properties})
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"stacks": stacks}, {"type": "object", "properties": schema.properties})


# --- unknown values during preview ---------------------------------------------------------

UNKNOWN_STRING = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
UNKNOWN_BOOL = "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7"
UNKNOWN_ARRAY = "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2"
UNKNOWN_OBJECT = "dd056dcd-154b-4c76-9bd3-c8f88648b5ff"


@pytest.mark.parametrize(
    ("type_", "inputs"),
    [
        ("aws:rds/instance:Instance", {"storageEncrypted": UNKNOWN_BOOL, "kmsKeyId": UNKNOWN_STRING, "deletionProtection": True}),
        ("aws:cloudwatch/logGroup:LogGroup", {"kmsKeyId": UNKNOWN_STRING, "retentionInDays": UNKNOWN_STRING, "tags": UNKNOWN_OBJECT}),
        ("aws:cloudtrail/trail:Trail", {"kmsKeyId": UNKNOWN_STRING, "enableLogFileValidation": UNKNOWN_BOOL}),
        ("aws:ec2/securityGroup:SecurityGroup", {"ingress": UNKNOWN_ARRAY}),
        ("aws:ec2/securityGroup:SecurityGroup", {"ingress": [{"protocol": UNKNOWN_STRING, "fromPort": 22, "toPort": 22, "cidrBlocks": ["0.0.0.0/0"]}]}),
        ("aws:eks/cluster:Cluster", {"encryptionConfig": {"provider": {"keyArn": UNKNOWN_STRING}, "resources": ["secrets"]}}),
        ("aws:lb/listener:Listener", {"protocol": "HTTPS", "sslPolicy": UNKNOWN_STRING}),
        ("aws:ec2/launchTemplate:LaunchTemplate", {"blockDeviceMappings": [{"ebs": UNKNOWN_OBJECT}]}),
    ],
)
def test_unknown_values_do_not_crash_or_flag(type_: str, inputs: dict[str, Any]) -> None:
    assert violations(plan(resource(type_, "subject", inputs, protect=True)), hardening=False) == []


def test_an_unknown_provider_tag_block_is_not_judged() -> None:
    document = plan(resource("aws:sqs/queue:Queue", "q", {"kmsMasterKeyId": KEY}))
    document["resources"][0]["inputs"]["defaultTags"] = UNKNOWN_STRING
    assert violations(document) == []
