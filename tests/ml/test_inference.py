"""InferenceEndpoint in each stack: GPU multi-model in production, serverless in staging."""

from __future__ import annotations

import json
from typing import Any

import pytest

from components.ml.inference import InferenceEndpoint, InferenceEndpointArgs, ModelBucketRef
from components.ml.inference_plan import InferenceMode, cpu_inference_image_uri, triton_image_uri
from components.ml.inference_settings import MultiModelSettings, ServerlessSettings
from components.platform.iam import wildcard_grants
from preflight.harness import Plan, Resource

PROD_ENDPOINT = "betterprompts-production-inference-mme-g4dn-xlarge"
STAGING_ENDPOINT = "betterprompts-staging-inference-serverless"


def _ours(plan: Plan, token: str) -> list[Resource]:
    """The resources of one type that belong to the inference component (other components have their own)."""
    [component] = plan.of_type("betterprompts:ml:InferenceEndpoint")
    return [r for r in plan.descendants(component.urn) if r.type == token]


def _one(plan: Plan, token: str) -> Resource:
    [resource] = _ours(plan, token)
    return resource


def _model(plan: Plan) -> Resource:
    """The endpoint's model (production also has the batch-transform twin, tests/serverless/test_workflow.py)."""
    [model] = [m for m in _ours(plan, "aws:sagemaker/model:Model") if not m.name.endswith("-inference-batch")]
    return model


def _variant(plan: Plan) -> dict[str, Any]:
    [variant] = _one(plan, "aws:sagemaker/endpointConfiguration:EndpointConfiguration").inputs["productionVariants"]
    return variant


def _role_policy(plan: Plan) -> dict[str, Any]:
    policy = _one(plan, "aws:iam/rolePolicy:RolePolicy")
    return json.loads(policy.inputs["policy"])


# --- production: GPU multi-model endpoint ------------------------------------------------------


def test_production_is_a_triton_multi_model_endpoint_on_g4dn(production: Plan) -> None:
    bucket = production.outputs["modelBucketName"]
    container = _model(production).inputs["primaryContainer"]
    assert container == {
        "image": triton_image_uri("us-east-1"),
        "mode": "MultiModel",
        "modelDataUrl": f"s3://{bucket}/models/",
        "multiModelConfig": {"modelCacheSetting": "Enabled"},
    }
    assert _model(production).inputs["enableNetworkIsolation"] is True
    variant = _variant(production)
    assert variant["instanceType"] == "ml.g4dn.xlarge"
    assert variant["variantName"] == "AllTraffic"
    # Deployed at the scaling maximum: an update never brings the fleet up below what autoscaling had.
    assert variant["initialInstanceCount"] == 5
    assert "serverlessConfig" not in variant
    endpoint = _one(production, "aws:sagemaker/endpoint:Endpoint")
    assert endpoint.inputs["name"] == PROD_ENDPOINT == production.outputs["inferenceEndpointName"]
    # Updates roll one instance at a time, baking two minutes per step.
    assert endpoint.inputs["deploymentConfig"] == {
        "rollingUpdatePolicy": {"maximumBatchSize": {"type": "INSTANCE_COUNT", "value": 1}, "waitIntervalInSeconds": 120}
    }
    assert production.outputs["modelPrefix"] == "models/"


def test_production_endpoint_runs_in_the_ml_subnets_with_its_own_closed_group(production: Plan) -> None:
    vpc_config = _model(production).inputs["vpcConfig"]
    assert vpc_config["subnets"] == production.outputs["subnetIds"]["ml"]
    sg = _one(production, "aws:ec2/securityGroup:SecurityGroup")
    assert sg.name == PROD_ENDPOINT and sg.inputs["vpcId"] == production.outputs["vpcId"]
    assert vpc_config["securityGroupIds"] == [sg.id]
    assert not sg.inputs.get("ingress") and not sg.inputs.get("egress")
    assert not _ours(production, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
    egress = {r.name.rsplit("-", 1)[-1]: r.inputs for r in _ours(production, "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule")}
    assert egress["s3"]["prefixListId"] == "pl-63a5400a"
    assert egress["vpc"]["cidrIpv4"] == "10.0.0.0/16"
    for rule in egress.values():
        assert (rule["ipProtocol"], rule["fromPort"], rule["toPort"], rule["securityGroupId"]) == ("tcp", 443, 443, sg.id)


def test_production_model_waits_for_its_role_policy_and_egress_rules(production: Plan) -> None:
    model = _model(production)
    needed = [_one(production, "aws:iam/rolePolicy:RolePolicy")] + _ours(
        production, "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
    )
    assert len(needed) == 3 and all(r.urn in model.dependencies for r in needed)
    endpoint = _one(production, "aws:sagemaker/endpoint:Endpoint")
    assert production.outputs["inferenceEndpointArn"] == (
        f"arn:aws:sagemaker:us-east-1:123456789012:endpoint/{PROD_ENDPOINT}"
    )
    assert endpoint.inputs["endpointConfigName"] == _one(
        production, "aws:sagemaker/endpointConfiguration:EndpointConfiguration"
    ).id


def test_production_endpoint_config_has_no_kms_key_on_local_nvme(production: Plan) -> None:
    # CreateEndpointConfig refuses a KmsKeyId for ml.g4dn (hardware-encrypted instance storage).
    config = _one(production, "aws:sagemaker/endpointConfiguration:EndpointConfiguration")
    assert config.inputs.get("kmsKeyArn") is None
    assert "EndpointStorageKey" not in {s["Sid"] for s in _role_policy(production)["Statement"]}


def test_production_scales_on_invocations_per_instance(production: Plan) -> None:
    target = _one(production, "aws:appautoscaling/target:Target")
    assert target.inputs == {
        "serviceNamespace": "sagemaker",
        "scalableDimension": "sagemaker:variant:DesiredInstanceCount",
        "resourceId": f"endpoint/{PROD_ENDPOINT}/variant/AllTraffic",
        "minCapacity": 2,
        "maxCapacity": 5,
        "tags": {"Name": f"{PROD_ENDPOINT}-scaling", "Component": "inference"},
    }
    policy = _one(production, "aws:appautoscaling/policy:Policy")
    assert policy.inputs["policyType"] == "TargetTrackingScaling"
    assert policy.inputs["resourceId"] == target.inputs["resourceId"]
    assert policy.inputs["targetTrackingScalingPolicyConfiguration"] == {
        "targetValue": 100,
        "predefinedMetricSpecification": {"predefinedMetricType": "SageMakerVariantInvocationsPerInstance"},
        "scaleInCooldown": 300,
        "scaleOutCooldown": 60,
    }


def test_production_role_may_manage_enis_only_in_its_subnets(production: Plan) -> None:
    statements = {s["Sid"]: s for s in _role_policy(production)["Statement"]}
    sg = _one(production, "aws:ec2/securityGroup:SecurityGroup")
    resources = statements["AttachToMlSubnets"]["Resource"]
    assert [r.rsplit("/", 1)[-1] for r in resources if ":subnet/" in r] == production.outputs["subnetIds"]["ml"]
    assert resources[-1].endswith(f":security-group/{sg.id}")
    assert statements["PullInferenceImages"]["Resource"] == [
        "arn:aws:ecr:us-east-1:763104351884:repository/sagemaker-tritonserver"
    ]


# --- staging: serverless -------------------------------------------------------------------


def test_staging_is_a_serverless_single_model_cpu_endpoint(staging: Plan) -> None:
    bucket = staging.outputs["modelBucketName"]
    model = _model(staging)
    assert model.inputs["primaryContainer"] == {
        "image": cpu_inference_image_uri("us-east-1"),
        "mode": "SingleModel",
        "modelDataUrl": f"s3://{bucket}/models/serverless/starter/model.tar.gz",
    }
    # Serverless inference supports neither a VPC nor network isolation.
    assert "vpcConfig" not in model.inputs and "enableNetworkIsolation" not in model.inputs
    variant = _variant(staging)
    assert variant["serverlessConfig"] == {"memorySizeInMb": 4096, "maxConcurrency": 10}
    assert "instanceType" not in variant and "initialInstanceCount" not in variant
    assert staging.outputs["inferenceEndpointName"] == STAGING_ENDPOINT
    assert not _ours(staging, "aws:appautoscaling/target:Target")
    assert not _ours(staging, "aws:ec2/securityGroup:SecurityGroup")


def test_staging_endpoint_config_is_encrypted_with_the_data_key(staging: Plan) -> None:
    config = _one(staging, "aws:sagemaker/endpointConfiguration:EndpointConfiguration")
    data_key = staging.outputs["kmsKeyArns"]["data"]
    assert config.inputs["kmsKeyArn"] == data_key
    statements = {s["Sid"]: s for s in _role_policy(staging)["Statement"]}
    assert statements["EndpointStorageKey"]["Resource"] == [data_key]
    # Staging's role may use the shared data key only through SageMaker.
    for sid in ("EndpointStorageKey", "EndpointStorageKeyGrant"):
        assert statements[sid]["Condition"]["StringEquals"] == {"kms:ViaService": "sagemaker.us-east-1.amazonaws.com"}
    assert "AttachToMlSubnets" not in statements


# --- both stacks -------------------------------------------------------------------------------


def test_alarms_on_the_latency_kpi_and_5xx_go_to_the_platform_topic(plan: Plan) -> None:
    endpoint = plan.outputs["inferenceEndpointName"]
    alarms = {a.inputs["metricName"]: a.inputs for a in _ours(plan, "aws:cloudwatch/metricAlarm:MetricAlarm")}
    latency, errors = alarms["ModelLatency"], alarms["Invocation5XXErrors"]
    assert (latency["extendedStatistic"], latency["threshold"], latency["comparisonOperator"]) == (
        "p95",
        500_000,
        "GreaterThanThreshold",
    )
    assert (errors["statistic"], errors["threshold"]) == ("Sum", 5)
    for alarm in (latency, errors):
        assert alarm["namespace"] == "AWS/SageMaker"
        assert alarm["dimensions"] == {"EndpointName": endpoint, "VariantName": "AllTraffic"}
        assert alarm["alarmActions"] == alarm["okActions"] == [plan.outputs["alarmTopicArn"]]
        assert (alarm["period"], alarm["evaluationPeriods"], alarm["datapointsToAlarm"]) == (60, 5, 3)


def test_log_group_exists_before_the_endpoint_and_is_encrypted(plan: Plan) -> None:
    endpoint_name = plan.outputs["inferenceEndpointName"]
    group = _one(plan, "aws:cloudwatch/logGroup:LogGroup")
    assert group.inputs["name"] == f"/aws/sagemaker/Endpoints/{endpoint_name}"
    assert group.inputs["kmsKeyId"] == plan.outputs["kmsKeyArns"]["logs"]
    assert group.inputs["retentionInDays"] == (365 if plan.stack == "production" else 30)
    endpoint = _one(plan, "aws:sagemaker/endpoint:Endpoint")
    assert group.urn in endpoint.dependencies


def test_execution_role_is_scoped(plan: Plan) -> None:
    role = _one(plan, "aws:iam/role:Role")
    trust = json.loads(role.inputs["assumeRolePolicy"])["Statement"][0]
    assert trust["Principal"] == {"Service": "sagemaker.amazonaws.com"}
    assert trust["Condition"] == {"StringEquals": {"aws:SourceAccount": "123456789012"}}
    document = _role_policy(plan)
    assert wildcard_grants(document) == []
    bucket_arn = plan.outputs["modelBucketArn"]
    statements = {s["Sid"]: s for s in document["Statement"]}
    assert statements["ReadModelArtifacts"]["Resource"] == [f"{bucket_arn}/models/*"]
    assert statements["DecryptModelArtifacts"]["Resource"] == [plan.outputs["kmsKeyArns"]["storage"]]
    # Only actions without a resource type are granted on "*".
    on_star = sorted(a for s in document["Statement"] if s["Resource"] == "*" for a in s["Action"])
    assert set(on_star) <= {
        "ecr:GetAuthorizationToken",
        "cloudwatch:PutMetricData",
        "ec2:DescribeNetworkInterfaces",
        "ec2:DescribeVpcs",
        "ec2:DescribeDhcpOptions",
        "ec2:DescribeSubnets",
        "ec2:DescribeSecurityGroups",
    }


def test_every_inference_resource_is_tagged_and_parented(plan: Plan) -> None:
    [component] = plan.of_type("betterprompts:ml:InferenceEndpoint")
    untaggable = ("aws:iam/rolePolicy:RolePolicy", "aws:appautoscaling/policy:Policy")
    for resource in plan.descendants(component.urn):
        if resource.custom and not resource.type.startswith("aws:s3/bucket") and resource.type not in untaggable:
            assert resource.inputs["tags"]["Component"] == "inference", resource.name
    assert component.parent.endswith("pulumi:pulumi:Stack::" + f"betterprompts-{plan.stack}")


# --- conflicting args ----------------------------------------------------------------------


def _args(**overrides: Any) -> InferenceEndpointArgs:
    values: dict[str, Any] = dict(
        region="us-east-1",
        account_id="123456789012",
        mode=InferenceMode.MULTI_MODEL_GPU,
        multi_model=MultiModelSettings(image_uri=triton_image_uri("us-east-1")),
        serverless=ServerlessSettings(image_uri=cpu_inference_image_uri("us-east-1")),
        bucket_kms_key_arn="k",
        model_bucket=ModelBucketRef(name="models", arn="arn:aws:s3:::models"),
        endpoint_kms_key_arn="k",
        log_kms_key_arn="k",
        alarm_topic_arn="t",
        vpc_id="vpc-1",
        vpc_cidr="10.0.0.0/16",
        subnet_ids=["subnet-1"],
    )
    values.update(overrides)
    return InferenceEndpointArgs(**values)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"subnet_ids": []}, "needs vpc_id, vpc_cidr and the ML subnet_ids"),
        ({"vpc_cidr": None}, "needs vpc_id"),
        ({"multi_model": MultiModelSettings(image_uri=triton_image_uri("us-east-1"), instance_type="ml.m5.xlarge")}, "no GPU multi-model"),
        ({"multi_model": MultiModelSettings(image_uri=triton_image_uri("us-east-1"), min_instances=3, max_instances=2)}, "min_instances"),
        ({"model_prefix": "/"}, "may not be empty"),
        (
            {"multi_model": MultiModelSettings(image_uri=triton_image_uri("us-east-1"), min_instances=1, max_instances=1)},
            "rolling batch of 1 is not 5-50% of 1",
        ),
    ],
)
def test_conflicting_args_fail_before_anything_exists(overrides: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        InferenceEndpoint("ml", _args(**overrides))


def test_long_names_are_refused() -> None:
    with pytest.raises(ValueError, match="1-63"):
        InferenceEndpoint("x" * 60, _args())


def test_serverless_needs_no_network() -> None:
    from preflight.monitor import run_function

    resources, _ = run_function(
        lambda: InferenceEndpoint("ml", _args(mode=InferenceMode.SERVERLESS, subnet_ids=[], vpc_id=None, vpc_cidr=None))
    )
    assert not [r for r in resources if r.type == "aws:ec2/securityGroup:SecurityGroup"]
    [endpoint] = [r for r in resources if r.type == "aws:sagemaker/endpoint:Endpoint"]
    assert endpoint.inputs["name"] == "ml-serverless"


# The EC2 actions AWS documents for the execution role of a VPC-attached hosted model
# ("Give SageMaker AI Hosted Endpoints Access to Resources in Your Amazon VPC",
# https://docs.aws.amazon.com/sagemaker/latest/dg/host-vpc.html, "Add permissions ... to custom IAM policies").
HOST_VPC_ACTIONS = {
    "ec2:CreateNetworkInterface",
    "ec2:CreateNetworkInterfacePermission",
    "ec2:DeleteNetworkInterface",
    "ec2:DeleteNetworkInterfacePermission",
    "ec2:DescribeDhcpOptions",
    "ec2:DescribeNetworkInterfaces",
    "ec2:DescribeSecurityGroups",
    "ec2:DescribeSubnets",
    "ec2:DescribeVpcs",
}


def test_the_vpc_attached_role_has_every_action_aws_documents_for_vpc_hosting(production: Plan, staging: Plan) -> None:
    def ec2_actions(plan: Plan) -> set[str]:
        actions: set[str] = set()
        for statement in _role_policy(plan)["Statement"]:
            granted = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            actions.update(a for a in granted if a.startswith("ec2:"))
        return actions

    assert ec2_actions(production) == HOST_VPC_ACTIONS
    # Serverless endpoints cannot join a VPC: no network permissions at all.
    assert ec2_actions(staging) == set()
