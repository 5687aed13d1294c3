"""InferenceEndpoint: the seed's "Option B", a SageMaker endpoint serving the ML models.

Two modes (``InferenceMode``):

* ``multi_model_gpu`` (production): a multi-model endpoint on GPU instances
  (``ml.g4dn.xlarge``). SageMaker runs GPU multi-model endpoints only on the NVIDIA
  Triton container, so the model is Triton in ``MultiModel`` mode over an S3 prefix.
  It runs in the ML subnets with its own security group (no ingress at all: the
  endpoint is called through the SageMaker runtime API, not the VPC), with network
  isolation, and Application Auto Scaling tracks invocations per instance.
* ``serverless`` (staging, the seed's "serverless inference for low-traffic
  periods"): serverless inference has no GPU, no multi-model and no VPC support, so
  it is a single-model CPU endpoint that scales to zero by itself.

Both read their models from the platform's model bucket (owned by the storage layer's
``PlatformStorage`` and passed in), with an execution role scoped to that bucket prefix, the image repositories, the endpoint's
log group and its keys, a KMS-encrypted log group created before SageMaker would
create an unencrypted one, and alarms on the seed's KPI (p95 model latency) and on
5XX errors, published to the platform's alarm topic.

Batch transform jobs (``serverless.BulkTransform``) run ``batch_model_name``: the serverless model, or
in multi-model mode a single-model twin of the Triton model (a job cannot name a target model).

Pure calculations live in ``inference_plan``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Optional

import pulumi
import pulumi_aws as aws

from ..platform import ComponentTags, create_alarms, service_assume_role_policy
from .inference_plan import (
    SAGEMAKER_NAME,
    SCALABLE_DIMENSION,
    VARIANT_NAME,
    AlarmThresholds,
    InferenceMode,
    RoleScope,
    UpdatePolicy,
    alarm_specs,
    endpoint_config_takes_kms_key,
    endpoint_log_group_name,
    execution_role_policy,
    model_data_url,
    normalize_prefix,
    parse_ecr_image,
    rolling_update,
    scaling_resource_id,
    supports_gpu_multi_model,
    target_tracking,
)
from .inference_settings import MultiModelSettings, ServerlessSettings
from .starter_model import STARTER_ARTIFACT_KEY, starter_archive_base64

HTTPS = 443


@dataclass
class ModelBucketRef:
    """The model-artifact bucket (``PlatformStorage``'s ``models`` bucket)."""

    name: pulumi.Input[str]
    arn: pulumi.Input[str]
    ready: Sequence[pulumi.Resource] = ()
    """The bucket's resources (``SecureBucket.ready``): objects the endpoint puts there (the starter archive) wait for them."""


@dataclass
class InferenceEndpointArgs:
    """Inputs of :class:`InferenceEndpoint`."""

    region: str
    """The stack's region: names the S3 prefix list and scopes the role's ARNs."""
    account_id: pulumi.Input[str]
    """The account the endpoint runs in; the role trusts SageMaker only on its behalf."""
    mode: InferenceMode
    """GPU multi-model endpoint, or serverless single-model CPU endpoint."""
    multi_model: MultiModelSettings
    """Instance type, scaling and image of the GPU multi-model endpoint (used in that mode)."""
    serverless: ServerlessSettings
    """Memory, concurrency, image and model archive of the serverless endpoint (used in that mode)."""
    bucket_kms_key_arn: pulumi.Input[str]
    """The key the model bucket's objects are encrypted with (``keys["storage"]``)."""
    endpoint_kms_key_arn: pulumi.Input[str]
    """The key of the endpoint configuration's storage (``keys["data"]``); not given to
    SageMaker for instance types with hardware-encrypted local NVMe storage (it refuses it)."""
    log_kms_key_arn: pulumi.Input[str]
    """The key of the endpoint's log group (``keys["logs"]``; its policy admits CloudWatch Logs)."""
    alarm_topic_arn: pulumi.Input[str]
    """The platform's alarm topic."""
    model_bucket: ModelBucketRef
    """The bucket the model artifacts live in (the storage layer owns it)."""
    model_prefix: str = "models/"
    """S3 prefix the models live under; the execution role reads nothing else."""
    vpc_id: Optional[pulumi.Input[str]] = None
    """VPC of the ML subnets (required for the GPU endpoint)."""
    vpc_cidr: Optional[pulumi.Input[str]] = None
    """The VPC's range: the only HTTPS destination besides S3 (interface endpoints)."""
    subnet_ids: Sequence[pulumi.Input[str]] = field(default_factory=tuple)
    """The ML-tier subnets, one per AZ (required for the GPU endpoint)."""
    alarms: AlarmThresholds = field(default_factory=AlarmThresholds)
    """Latency and error thresholds."""
    log_retention_days: int = 365
    """Days the endpoint's container logs are kept."""
    serve: bool = True
    """Run the endpoint. False sizes SageMaker to zero (TorchServe serves): the bucket, role,
    model and endpoint configuration stay, so serving again is one endpoint away."""


class InferenceEndpoint(pulumi.ComponentResource):
    """A SageMaker endpoint with its model bucket, role, network, scaling and alarms."""

    endpoint_name: pulumi.Output[Optional[str]]
    """None while the endpoint is sized to zero (``serve`` off)."""
    endpoint_arn: pulumi.Output[Optional[str]]
    model_bucket_name: pulumi.Output[str]
    model_bucket_arn: pulumi.Output[str]
    model_prefix: pulumi.Output[str]
    execution_role_arn: pulumi.Output[str]
    execution_role_name: pulumi.Output[str]
    model_name: pulumi.Output[str]
    batch_model_name: pulumi.Output[str]
    """The single-model model batch transform jobs run (``serverless.BulkTransform``): the serverless
    endpoint's own model, or the multi-model endpoint's single-model twin."""

    def __init__(self, name: str, args: InferenceEndpointArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:
        endpoint_name = _check_args(name, args)
        super().__init__("betterprompts:ml:InferenceEndpoint", name, None, opts)
        tags = ComponentTags("inference")
        child = pulumi.ResourceOptions(parent=self)
        gpu = args.mode is InferenceMode.MULTI_MODEL_GPU
        prefix = normalize_prefix(args.model_prefix)
        image = args.multi_model.image_uri if gpu else args.serverless.image_uri

        # --- model artifacts: the storage layer's bucket ------------------------------------
        bucket_name = pulumi.Output.from_input(args.model_bucket.name)
        bucket_arn = pulumi.Output.from_input(args.model_bucket.arn)

        # --- logs: created first, encrypted, so SageMaker never makes its own -------------
        log_name = f"{endpoint_name}-logs"
        self.log_group = aws.cloudwatch.LogGroup(
            log_name,
            name=endpoint_log_group_name(endpoint_name),
            retention_in_days=args.log_retention_days,
            kms_key_id=args.log_kms_key_arn,
            tags=tags(log_name),
            opts=child,
        )

        # --- network (GPU endpoint only: serverless endpoints cannot join a VPC) -----------
        self.security_group: Optional[aws.ec2.SecurityGroup] = None
        network_ready: list[pulumi.Resource] = []
        if gpu:
            self.security_group, network_ready = self._security_group(endpoint_name, args, tags)

        # --- execution role --------------------------------------------------------------
        takes_key = endpoint_config_takes_kms_key(args.mode, args.multi_model.instance_type)
        # Named by the component, not the endpoint: IAM role names stop at 64 characters.
        role_name = f"{name}-execution"
        self.role = aws.iam.Role(
            role_name,
            description=f"SageMaker execution role of {endpoint_name}",
            assume_role_policy=pulumi.Output.from_input(args.account_id).apply(
                lambda account: service_assume_role_policy("sagemaker.amazonaws.com", source_account=account)
            ),
            tags=tags(role_name),
            opts=child,
        )
        scope_inputs: dict[str, Any] = {
            "account": args.account_id,
            "bucket_arn": bucket_arn,
            "bucket_key": args.bucket_kms_key_arn,
            "log_group_arn": self.log_group.arn,
            "endpoint_key": args.endpoint_kms_key_arn if takes_key else None,
            "subnets": list(args.subnet_ids) if gpu else [],
            "security_group": self.security_group.id if self.security_group else None,
        }
        role_policy = aws.iam.RolePolicy(
            role_name,
            role=self.role.id,
            policy=pulumi.Output.all(**scope_inputs).apply(
                lambda v: execution_role_policy(
                    RoleScope(
                        region=args.region,
                        account_id=v["account"],
                        bucket_arn=v["bucket_arn"],
                        model_prefix=prefix,
                        bucket_kms_key_arn=v["bucket_key"],
                        log_group_arn=v["log_group_arn"],
                        image_uris=[image],
                        endpoint_kms_key_arn=v["endpoint_key"],
                        subnet_ids=v["subnets"],
                        security_group_id=v["security_group"],
                    )
                )
            ),
            opts=pulumi.ResourceOptions(parent=self.role),
        )

        # --- model, endpoint configuration, endpoint --------------------------------------
        model_ready: list[pulumi.Resource] = []
        if gpu:
            container = aws.sagemaker.ModelPrimaryContainerArgs(
                image=image,
                mode="MultiModel",
                # Every model under the prefix is loadable by TargetModel=<key relative to it>.
                model_data_url=bucket_name.apply(lambda b: model_data_url(b, prefix)),
                multi_model_config=aws.sagemaker.ModelPrimaryContainerMultiModelConfigArgs(
                    model_cache_setting=args.multi_model.model_cache_setting
                ),
            )
        else:
            archive = prefix + (args.serverless.model_artifact_key or STARTER_ARTIFACT_KEY)
            if args.serverless.model_artifact_key is None:
                # The bucket is created by this same deploy: without an archive the endpoint would be
                # created failed. The stack's own starter archive (components/ml/starter_model) fills
                # the gap until modelArtifactKey names a real model.
                model_ready.append(self._starter(name, prefix, bucket_name, args, tags))
            container = aws.sagemaker.ModelPrimaryContainerArgs(
                image=image,
                mode="SingleModel",
                model_data_url=bucket_name.apply(lambda b: model_data_url(b, archive)),
            )
        self.model = aws.sagemaker.Model(
            endpoint_name,
            execution_role_arn=self.role.arn,
            primary_container=container,
            # Serverless inference supports neither network isolation nor a VPC.
            enable_network_isolation=args.multi_model.network_isolation if gpu else None,
            vpc_config=(
                aws.sagemaker.ModelVpcConfigArgs(
                    subnets=list(args.subnet_ids),
                    security_group_ids=[self.security_group.id],
                )
                if self.security_group is not None
                else None
            ),
            tags=tags(endpoint_name),
            # SageMaker checks the role when it creates the model, and the endpoint's instances
            # fetch from S3 as they start: the policy and the egress rules must be in place.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[role_policy, *network_ready, *model_ready]),
        )
        # Batch transform jobs cannot name a multi-model endpoint's target model: they run a single-model
        # twin of the GPU container (the same image, role, network and isolation) over one archive.
        self.batch_model: Optional[aws.sagemaker.Model] = None
        if gpu:
            batch_key = args.multi_model.batch_model_artifact_key
            batch_ready = [] if batch_key else [self._starter(name, prefix, bucket_name, args, tags)]
            batch_archive = prefix + (batch_key or STARTER_ARTIFACT_KEY)
            batch_name = f"{name}-batch"
            self.batch_model = aws.sagemaker.Model(
                batch_name,
                execution_role_arn=self.role.arn,
                primary_container=aws.sagemaker.ModelPrimaryContainerArgs(
                    image=image,
                    mode="SingleModel",
                    model_data_url=bucket_name.apply(lambda b: model_data_url(b, batch_archive)),
                ),
                enable_network_isolation=args.multi_model.network_isolation,
                vpc_config=(
                    aws.sagemaker.ModelVpcConfigArgs(subnets=list(args.subnet_ids), security_group_ids=[self.security_group.id])
                    if self.security_group is not None
                    else None
                ),
                tags=tags(batch_name, {"ModelUse": "batch-transform"}),
                # CreateModel checks that the archive exists (the starter is uploaded first when none is named).
                opts=pulumi.ResourceOptions(parent=self, depends_on=[role_policy, *network_ready, *batch_ready]),
            )
        if gpu:
            variant = aws.sagemaker.EndpointConfigurationProductionVariantArgs(
                variant_name=VARIANT_NAME,
                model_name=self.model.name,
                instance_type=args.multi_model.instance_type,
                # The maximum, not the minimum: an update deploys a fleet of this size (the provider's
                # UpdateEndpoint does not retain the autoscaled count), so no update drops below what
                # autoscaling had; the tracking policy scales it in after the update.
                initial_instance_count=args.multi_model.max_instances,
                initial_variant_weight=1.0,
            )
        else:
            variant = aws.sagemaker.EndpointConfigurationProductionVariantArgs(
                variant_name=VARIANT_NAME,
                model_name=self.model.name,
                serverless_config=aws.sagemaker.EndpointConfigurationProductionVariantServerlessConfigArgs(
                    memory_size_in_mb=args.serverless.memory_size_mb,
                    max_concurrency=args.serverless.max_concurrency,
                ),
            )
        self.endpoint_config = aws.sagemaker.EndpointConfiguration(
            endpoint_name,
            production_variants=[variant],
            kms_key_arn=args.endpoint_kms_key_arn if takes_key else None,
            tags=tags(endpoint_name),
            opts=pulumi.ResourceOptions(parent=self.model),
        )
        self.endpoint: Optional[aws.sagemaker.Endpoint] = None
        if args.serve:
            self.endpoint = aws.sagemaker.Endpoint(
                endpoint_name,
                name=endpoint_name,
                endpoint_config_name=self.endpoint_config.name,
                deployment_config=_deployment_config(rolling_update(args.mode, args.multi_model.update)),
                tags=tags(endpoint_name),
                opts=pulumi.ResourceOptions(parent=self, depends_on=[self.log_group]),
            )

            # --- auto scaling (instances only: serverless scales itself) ----------------------
            if gpu:
                self._scaling(endpoint_name, args, tags, self.endpoint)

            # --- alarms -------------------------------------------------------------
            create_alarms(
                endpoint_name,
                alarm_specs(self.endpoint.name, args.alarms, multi_model=gpu),
                topic_arn=args.alarm_topic_arn,
                parent=self.endpoint,
                tags=tags,
            )
            self.endpoint_name = self.endpoint.name
            self.endpoint_arn = self.endpoint.arn
        else:
            self.endpoint_name = pulumi.Output.from_input(None)
            self.endpoint_arn = pulumi.Output.from_input(None)

        self.model_bucket_name = bucket_name
        self.model_bucket_arn = bucket_arn
        self.model_prefix = pulumi.Output.from_input(prefix)
        self.execution_role_arn = self.role.arn
        self.execution_role_name = self.role.name
        self.model_name = self.model.name
        self.batch_model_name = self.batch_model.name if self.batch_model is not None else self.model.name
        self.register_outputs(
            {
                "endpoint_name": self.endpoint_name,
                "endpoint_arn": self.endpoint_arn,
                "model_bucket_name": self.model_bucket_name,
                "model_bucket_arn": self.model_bucket_arn,
                "model_prefix": self.model_prefix,
                "execution_role_arn": self.execution_role_arn,
                "model_name": self.model_name,
                "batch_model_name": self.batch_model_name,
                "security_group_id": self.security_group.id if self.security_group else None,
                "mode": args.mode.value,
            }
        )

    def _starter(
        self, name: str, prefix: str, bucket_name: pulumi.Output[str], args: InferenceEndpointArgs, tags: ComponentTags
    ) -> aws.s3.BucketObjectv2:
        """The stack's starter archive under the model prefix: what a single-model model needs to be created
        (CreateModel checks its archive exists) until config names a real one."""
        starter_name = f"{name}-starter-model"
        self.starter_model = aws.s3.BucketObjectv2(
            starter_name,
            bucket=bucket_name,
            key=prefix + STARTER_ARTIFACT_KEY,
            content_base64=starter_archive_base64(),
            content_type="application/gzip",
            server_side_encryption="aws:kms",
            kms_key_id=args.bucket_kms_key_arn,
            tags=tags(starter_name),
            # Into the storage layer's bucket once it is whole (versioning, encryption, policy).
            opts=pulumi.ResourceOptions(parent=self, depends_on=list(args.model_bucket.ready)),
        )
        return self.starter_model

    def _security_group(
        self, endpoint_name: str, args: InferenceEndpointArgs, tags: ComponentTags
    ) -> tuple[aws.ec2.SecurityGroup, list[pulumi.Resource]]:
        """The endpoint's group: no ingress rule at all, HTTPS egress to S3 and the VPC."""
        sg_name = endpoint_name
        sg = aws.ec2.SecurityGroup(
            sg_name,
            description=f"{endpoint_name}: SageMaker model ENIs; no ingress, HTTPS out to S3 and the VPC only",
            vpc_id=args.vpc_id,
            tags=tags(sg_name),
            opts=pulumi.ResourceOptions(parent=self),
        )
        s3 = aws.ec2.get_prefix_list_output(
            name=f"com.amazonaws.{args.region}.s3",
            opts=pulumi.InvokeOutputOptions(parent=self),
        )
        sg_child = pulumi.ResourceOptions(parent=sg)
        to_s3 = aws.vpc.SecurityGroupEgressRule(
            f"{sg_name}-https-s3",
            security_group_id=sg.id,
            description="model artifacts from S3 through the gateway endpoint",
            ip_protocol="tcp",
            from_port=HTTPS,
            to_port=HTTPS,
            prefix_list_id=s3.id,
            tags=tags(f"{sg_name}-https-s3"),
            opts=sg_child,
        )
        to_vpc = aws.vpc.SecurityGroupEgressRule(
            f"{sg_name}-https-vpc",
            security_group_id=sg.id,
            description="AWS APIs through interface endpoints inside the VPC",
            ip_protocol="tcp",
            from_port=HTTPS,
            to_port=HTTPS,
            cidr_ipv4=args.vpc_cidr,
            tags=tags(f"{sg_name}-https-vpc"),
            opts=sg_child,
        )
        return sg, [to_s3, to_vpc]

    def _scaling(self, endpoint_name: str, args: InferenceEndpointArgs, tags: ComponentTags, endpoint: aws.sagemaker.Endpoint) -> None:
        mm = args.multi_model
        tracking = target_tracking(mm.target_invocations_per_instance, mm.scale_in_cooldown_seconds, mm.scale_out_cooldown_seconds)
        scaling_name = f"{endpoint_name}-scaling"
        self.scaling_target = aws.appautoscaling.Target(
            scaling_name,
            service_namespace="sagemaker",
            scalable_dimension=SCALABLE_DIMENSION,
            resource_id=endpoint.name.apply(scaling_resource_id),
            min_capacity=mm.min_instances,
            max_capacity=mm.max_instances,
            tags=tags(scaling_name),
            opts=pulumi.ResourceOptions(parent=endpoint),
        )
        aws.appautoscaling.Policy(
            f"{endpoint_name}-invocations",
            policy_type="TargetTrackingScaling",
            service_namespace=self.scaling_target.service_namespace,
            scalable_dimension=self.scaling_target.scalable_dimension,
            resource_id=self.scaling_target.resource_id,
            target_tracking_scaling_policy_configuration=aws.appautoscaling.PolicyTargetTrackingScalingPolicyConfigurationArgs(
                target_value=tracking.target_value,
                predefined_metric_specification=aws.appautoscaling.PolicyTargetTrackingScalingPolicyConfigurationPredefinedMetricSpecificationArgs(
                    predefined_metric_type=tracking.metric,
                ),
                scale_in_cooldown=tracking.scale_in_cooldown,
                scale_out_cooldown=tracking.scale_out_cooldown,
            ),
            opts=pulumi.ResourceOptions(parent=self.scaling_target),
        )


def _deployment_config(update: Optional[UpdatePolicy]) -> Optional[aws.sagemaker.EndpointDeploymentConfigArgs]:
    """Rolling batches (one batch of extra quota per update), or None for SageMaker's blue/green."""
    if update is None:
        return None
    return aws.sagemaker.EndpointDeploymentConfigArgs(
        rolling_update_policy=aws.sagemaker.EndpointDeploymentConfigRollingUpdatePolicyArgs(
            maximum_batch_size=aws.sagemaker.EndpointDeploymentConfigRollingUpdatePolicyMaximumBatchSizeArgs(
                type="INSTANCE_COUNT", value=update.batch_instances
            ),
            wait_interval_in_seconds=update.wait_interval_seconds,
        ),
    )


def endpoint_name_for(name: str, mode: InferenceMode, instance_type: str) -> str:
    """The endpoint's physical name: mode and, for instances, the type are part of it.

    SageMaker cannot move an auto-scaled variant to another instance type, nor an
    instance endpoint to serverless, in place; a new name makes Pulumi build the new
    endpoint next to the old one and then delete the old one.
    """
    if mode is InferenceMode.SERVERLESS:
        return f"{name}-serverless"
    return f"{name}-mme-{instance_type.removeprefix('ml.').replace('.', '-')}"


def _check_args(name: str, args: InferenceEndpointArgs) -> str:
    endpoint_name = endpoint_name_for(name, args.mode, args.multi_model.instance_type)
    if not SAGEMAKER_NAME.match(endpoint_name):
        raise ValueError(f"InferenceEndpoint endpoint name {endpoint_name!r} is not 1-63 letters, digits and hyphens")
    normalize_prefix(args.model_prefix)
    if args.mode is InferenceMode.MULTI_MODEL_GPU:
        if not supports_gpu_multi_model(args.multi_model.instance_type):
            raise ValueError(f"InferenceEndpoint {name}: {args.multi_model.instance_type} runs no GPU multi-model endpoint")
        if not args.subnet_ids or args.vpc_id is None or args.vpc_cidr is None:
            raise ValueError(f"InferenceEndpoint {name}: the GPU endpoint needs vpc_id, vpc_cidr and the ML subnet_ids")
        if args.multi_model.min_instances > args.multi_model.max_instances:
            raise ValueError(f"InferenceEndpoint {name}: min_instances exceeds max_instances")
        parse_ecr_image(args.multi_model.image_uri)
        update = rolling_update(args.mode, args.multi_model.update)
        if update is not None and not 0.05 * args.multi_model.max_instances <= update.batch_instances <= 0.5 * args.multi_model.max_instances:
            raise ValueError(
                f"InferenceEndpoint {name}: a rolling batch of {update.batch_instances} is not 5-50% of "
                f"{args.multi_model.max_instances} instances (SageMaker's rule); use blue_green for a single instance"
            )
    else:
        parse_ecr_image(args.serverless.image_uri)
    return endpoint_name
