"""Realistic answers for the mock runtime: ids, ARNs, and the outputs programs read.

The engine and the providers are absent offline, so every resource's outputs and
every data-source invoke is answered here. Answers are deterministic (hashes of the
URN), shaped like AWS's own (``vpc-0a1b...``, ``arn:aws:kms:us-east-1:...:key/...``),
and nothing in this module knows about one of our components: it speaks only of
provider resource types and functions.

An invoke that nobody answers fails loudly, naming its token, instead of returning
an empty result that code downstream would misread.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import uuid
from collections.abc import Callable, Mapping
from typing import Any

import pulumi

from policies.aws_names import NAME_RULES, name_problem

ACCOUNT_ID = "123456789012"
STACK_REFERENCE = "pulumi:pulumi:StackReference"
PARTITION = "aws"

# EC2-style id prefixes, by resource type token.
ID_PREFIXES: dict[str, str] = {
    "aws:ec2/vpc:Vpc": "vpc",
    "aws:ec2/subnet:Subnet": "subnet",
    "aws:ec2/internetGateway:InternetGateway": "igw",
    "aws:ec2/routeTable:RouteTable": "rtb",
    "aws:ec2/route:Route": "r-rtb",
    "aws:ec2/routeTableAssociation:RouteTableAssociation": "rtbassoc",
    "aws:ec2/natGateway:NatGateway": "nat",
    "aws:ec2/eip:Eip": "eipalloc",
    "aws:ec2/securityGroup:SecurityGroup": "sg",
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": "sg",
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": "sgr",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": "sgr",
    "aws:ec2/networkAcl:NetworkAcl": "acl",
    "aws:ec2/vpcEndpoint:VpcEndpoint": "vpce",
    "aws:ec2/flowLog:FlowLog": "fl",
    "aws:ec2/instance:Instance": "i",
    "aws:ec2/launchTemplate:LaunchTemplate": "lt",
    "aws:efs/fileSystem:FileSystem": "fs",
    "aws:efs/accessPoint:AccessPoint": "fsap",
    "aws:efs/mountTarget:MountTarget": "fsmt",
    "aws:dlm/lifecyclePolicy:LifecyclePolicy": "policy",
}


def _digest(text: str, length: int) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:length]


class NameLimitError(ValueError):
    """Names AWS would refuse: the real preview (or the create) fails on each of them."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        super().__init__(f"{len(problems)} resource name(s) over AWS's limits:\n  " + "\n  ".join(problems))


class PreflightMocks(pulumi.runtime.Mocks):
    """Answers resource registrations and invokes for one stack in one region."""

    def __init__(
        self,
        region: str,
        account_id: str = ACCOUNT_ID,
        stack_outputs: Callable[[str], Mapping[str, Any]] | None = None,
    ) -> None:
        self.region = region
        self.account_id = account_id
        self.stack_outputs = stack_outputs
        """The outputs of another stack by its fully qualified name (``<org>/<project>/<stack>``): what a
        ``pulumi.StackReference`` reads from the state backend. None: a reference fails loudly."""
        self.name_problems: list[str] = []
        """Every name over AWS's limit for its type, given or auto-generated (see policies/aws_names.py)."""
        self.provider_regions: dict[str, str] = {}
        """Provider id -> its region: a resource created through another region's provider (CloudFront's
        us-east-1 certificate, a DR replica) gets that region's ARNs."""

    def region_of(self, args: pulumi.runtime.MockResourceArgs) -> str:
        """The region the resource is created in: its provider's, else the stack's."""
        provider_id = (args.provider or "").rsplit("::", 1)[-1]
        return self.provider_regions.get(provider_id, self.region)

    def _in_region(self, provider: str | None, inputs: dict[str, Any]) -> "PreflightMocks":
        """These mocks as seen from the region a request runs in: a ``region`` input (pulumi-aws 7's
        per-resource region) first, then its provider's region, else the stack's."""
        region = inputs.get("region") if isinstance(inputs.get("region"), str) else None
        if region is None and provider:
            region = self.provider_regions.get(provider.rsplit("::", 1)[-1])
        if not region or region == self.region:
            return self
        view = copy.copy(self)  # shares name_problems and provider_regions
        view.region = region
        return view

    # --- resources ---------------------------------------------------------------

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        token = args.typ
        key = f"{token}::{args.name}"
        state = dict(args.inputs)
        if token == STACK_REFERENCE:
            return self._stack_reference(args)
        if token.startswith("pulumi:providers:"):
            provider_id = _digest(key, 8) + "-provider"
            if isinstance(state.get("region"), str):
                self.provider_regions[provider_id] = state["region"]
            return provider_id, state
        return self._in_region(args.provider, state)._new_resource(args, token, key, state)

    def _new_resource(self, args: pulumi.runtime.MockResourceArgs, token: str, key: str, state: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        if token in ID_PREFIXES:
            resource_id = f"{ID_PREFIXES[token]}-0{_digest(key, 16)}"
        else:
            resource_id = state.get("name") or f"{args.name}-{_digest(key, 7)}"
        # Auto-naming as the provider does it (logical name, '-', 7 random hex characters; lower case
        # where the service needs it), deterministic here; every name is held to AWS's limit.
        physical, problem = name_problem(token, args.name, dict(args.inputs), _digest(key, 7))
        if problem:
            self.name_problems.append(problem)
        rule = NAME_RULES.get(token)
        if rule is not None and physical is not None:
            state.setdefault(rule.prop, physical)
        state.setdefault("name", f"{args.name}-{_digest(key, 7)}")
        state.setdefault("arn", self.arn(token, str(state["name"]), resource_id, self.region_of(args)))
        state["id"] = resource_id
        answer = RESOURCE_OUTPUTS.get(token)
        if answer:
            state.update(answer(self, args, resource_id, state))
        # An answer may give the resource its service's own id form (a KMS key id, a log group name).
        return str(state["id"]), state

    def _stack_reference(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        """A StackReference is a read of the named stack's outputs: answered from that stack's own offline run."""
        name = str(args.inputs.get("name") or args.resource_id or args.name)
        if self.stack_outputs is None:
            raise NotImplementedError(
                f"preflight has no outputs for the referenced stack {name!r}; pass stack_outputs to PreflightMocks"
            )
        outputs = dict(self.stack_outputs(name))
        return name, {"name": name, "outputs": outputs, "secretOutputNames": []}

    def arn(self, token: str, name: str, resource_id: str, region: str | None = None) -> str:
        region = region or self.region
        service = token.split(":")[1].split("/")[0]
        kind = token.split(":")[-1].lower()
        if service == "iam":
            return f"arn:{PARTITION}:iam::{self.account_id}:{kind}/{name}"
        if service in ("sns", "sqs"):
            return f"arn:{PARTITION}:{service}:{region}:{self.account_id}:{name}"
        if service == "cloudwatch" and kind == "loggroup":
            return f"arn:{PARTITION}:logs:{region}:{self.account_id}:log-group:{name}"
        if service == "s3":
            return f"arn:{PARTITION}:s3:::{name}"
        return f"arn:{PARTITION}:{service}:{region}:{self.account_id}:{kind}/{resource_id}"

    # --- invokes -----------------------------------------------------------------

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
        answer = INVOKE_ANSWERS.get(args.token)
        if answer is None:
            raise NotImplementedError(
                f"preflight has no offline answer for the invoke {args.token}; "
                "add one to preflight/mocks.py:INVOKE_ANSWERS"
            )
        return answer(self._in_region(args.provider, dict(args.args)), args.args), []


ResourceAnswer = Callable[[PreflightMocks, pulumi.runtime.MockResourceArgs, str, dict[str, Any]], dict[str, Any]]
InvokeAnswer = Callable[[PreflightMocks, dict[str, Any]], dict[str, Any]]


def _kms_key(m: PreflightMocks, args: pulumi.runtime.MockResourceArgs, rid: str, state: dict[str, Any]) -> dict[str, Any]:
    key_id = str(uuid.UUID(hex=_digest(args.name, 32)))
    return {
        "id": key_id,
        "keyId": key_id,
        "arn": f"arn:{PARTITION}:kms:{m.region_of(args)}:{m.account_id}:key/{key_id}",
    }


def _vpc(m: PreflightMocks, args: pulumi.runtime.MockResourceArgs, rid: str, state: dict[str, Any]) -> dict[str, Any]:
    return {
        "defaultSecurityGroupId": f"sg-0{_digest(rid + 'sg', 16)}",
        "defaultNetworkAclId": f"acl-0{_digest(rid + 'acl', 16)}",
        "mainRouteTableId": f"rtb-0{_digest(rid + 'rtb', 16)}",
        "ownerId": m.account_id,
    }


def _eip(m: PreflightMocks, args: pulumi.runtime.MockResourceArgs, rid: str, state: dict[str, Any]) -> dict[str, Any]:
    octets = bytes.fromhex(_digest(rid, 8))
    return {"allocationId": rid, "publicIp": f"3.{octets[1]}.{octets[2]}.{octets[3]}"}


def _instance(m: PreflightMocks, args: pulumi.runtime.MockResourceArgs, rid: str, state: dict[str, Any]) -> dict[str, Any]:
    return {
        "primaryNetworkInterfaceId": f"eni-0{_digest(rid, 16)}",
        "privateIp": "10.255.0.10",
        "instanceState": "running",
    }


def _lowercase_name(m: PreflightMocks, args: pulumi.runtime.MockResourceArgs, rid: str, state: dict[str, Any]) -> dict[str, Any]:
    # RDS and ElastiCache lower-case the names they are given.
    name = str(state["name"]).lower()
    return {"name": name, "id": name}


def _log_group(m: PreflightMocks, args: pulumi.runtime.MockResourceArgs, rid: str, state: dict[str, Any]) -> dict[str, Any]:
    name = str(state["name"])
    return {"id": name, "arn": f"arn:{PARTITION}:logs:{m.region_of(args)}:{m.account_id}:log-group:{name}"}


def _log_stream(m: PreflightMocks, args: pulumi.runtime.MockResourceArgs, rid: str, state: dict[str, Any]) -> dict[str, Any]:
    """A log stream's ARN names its group: arn:aws:logs:<region>:<account>:log-group:<group>:log-stream:<name>."""
    group, name = str(args.inputs.get("logGroupName")), str(state["name"])
    return {"id": name, "arn": f"arn:{PARTITION}:logs:{m.region_of(args)}:{m.account_id}:log-group:{group}:log-stream:{name}"}


def _firehose_stream(m: PreflightMocks, args: pulumi.runtime.MockResourceArgs, rid: str, state: dict[str, Any]) -> dict[str, Any]:
    """Firehose stream ARNs: arn:aws:firehose:<region>:<account>:deliverystream/<name> (the id is the ARN)."""
    arn = f"arn:{PARTITION}:firehose:{m.region_of(args)}:{m.account_id}:deliverystream/{state['name']}"
    return {"id": arn, "arn": arn}


def _s3_bucket(m: PreflightMocks, args: pulumi.runtime.MockResourceArgs, rid: str, state: dict[str, Any]) -> dict[str, Any]:
    # Auto-named like the engine does (logical name + "-" + 7 characters), lower case as S3 requires.
    name = str(args.inputs.get("bucket") or rid).lower()
    return {
        "id": name,
        "bucket": name,
        "arn": f"arn:{PARTITION}:s3:::{name}",
        "bucketDomainName": f"{name}.s3.amazonaws.com",
        "bucketRegionalDomainName": f"{name}.s3.{m.region}.amazonaws.com",
        "bucketRegion": m.region,
        "region": m.region,
        "hostedZoneId": "Z3AQBSTGFYJSTF",
    }


# SageMaker ARNs name the resource kind in kebab case and the resource in lower case.
SAGEMAKER_ARN_KINDS = {
    "aws:sagemaker/model:Model": "model",
    "aws:sagemaker/endpointConfiguration:EndpointConfiguration": "endpoint-config",
    "aws:sagemaker/endpoint:Endpoint": "endpoint",
}


def _sagemaker(m: PreflightMocks, args: pulumi.runtime.MockResourceArgs, rid: str, state: dict[str, Any]) -> dict[str, Any]:
    name = str(args.inputs.get("name") or rid)
    return {
        "id": name,
        "name": name,
        "arn": f"arn:{PARTITION}:sagemaker:{m.region}:{m.account_id}:{SAGEMAKER_ARN_KINDS[args.typ]}/{name.lower()}",
    }


def _eks_cluster(m: PreflightMocks, args: pulumi.runtime.MockResourceArgs, rid: str, state: dict[str, Any]) -> dict[str, Any]:
    """pulumi-eks's Cluster component: only its plain outputs (resource references are left out)."""
    name = str(args.inputs.get("name") or state["name"])
    issuer = f"oidc.eks.{m.region}.amazonaws.com/id/{_digest(name, 32).upper()}"
    endpoint = f"https://{_digest(name + 'endpoint', 32).upper()}.gr7.{m.region}.eks.amazonaws.com"
    kubeconfig = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [
            {
                "name": "kubernetes",
                "cluster": {
                    "server": endpoint,
                    "certificate-authority-data": base64.b64encode(b"preflight offline CA").decode(),
                },
            }
        ],
        "contexts": [{"name": "aws", "context": {"cluster": "kubernetes", "user": "aws"}}],
        "current-context": "aws",
        "preferences": {},
        "users": [
            {
                "name": "aws",
                "user": {
                    "exec": {
                        "apiVersion": "client.authentication.k8s.io/v1beta1",
                        "command": "aws",
                        "args": ["eks", "get-token", "--cluster-name", name, "--output", "json"],
                    }
                },
            }
        ],
    }
    return {
        "id": name,
        "kubeconfig": kubeconfig,
        "kubeconfigJson": json.dumps(kubeconfig),
        "clusterSecurityGroupId": f"sg-0{_digest(name + 'cluster-sg', 16)}",
        "nodeSecurityGroupId": f"sg-0{_digest(name + 'node-sg', 16)}",
        "oidcProviderArn": f"arn:{PARTITION}:iam::{m.account_id}:oidc-provider/{issuer}",
        "oidcProviderUrl": issuer,
        "oidcIssuer": issuer,
        "clusterIngressRuleId": f"sgr-0{_digest(name + 'ingress', 16)}",
    }


def _eks_node_group(m: PreflightMocks, args: pulumi.runtime.MockResourceArgs, rid: str, state: dict[str, Any]) -> dict[str, Any]:
    cluster = str(args.inputs.get("clusterName") or "cluster")
    group = str(args.inputs.get("nodeGroupName") or f"{args.inputs.get('nodeGroupNamePrefix') or args.name}{_digest(rid, 26)}")
    group_id = str(uuid.UUID(hex=_digest(rid + "ng", 32)))
    return {
        "id": f"{cluster}:{group}",
        "nodeGroupName": group,
        "arn": f"arn:{PARTITION}:eks:{m.region}:{m.account_id}:nodegroup/{cluster}/{group}/{group_id}",
        "status": "ACTIVE",
        # EKS names a managed node group's Auto Scaling group eks-<group>-<uuid>.
        "resources": [{"autoscalingGroups": [{"name": f"eks-{group}-{group_id}"}], "remoteAccessSecurityGroupId": ""}],
    }


def _launch_template(m: PreflightMocks, args: pulumi.runtime.MockResourceArgs, rid: str, state: dict[str, Any]) -> dict[str, Any]:
    return {"latestVersion": 1, "defaultVersion": 1, "arn": f"arn:{PARTITION}:ec2:{m.region}:{m.account_id}:launch-template/{rid}"}


def _sqs_queue(m: PreflightMocks, args: pulumi.runtime.MockResourceArgs, rid: str, state: dict[str, Any]) -> dict[str, Any]:
    name = str(state["name"])
    url = f"https://sqs.{m.region}.amazonaws.com/{m.account_id}/{name}"
    return {"id": url, "url": url, "arn": f"arn:{PARTITION}:sqs:{m.region}:{m.account_id}:{name}"}
# API Gateway's regional endpoints' Route 53 hosted zones (AWS General Reference, "Amazon API Gateway endpoints").
_API_GATEWAY_ZONES = {"us-east-1": "Z1UJRXOUMOOFQ8", "us-east-2": "ZOJJZC49E0EPZ", "us-west-2": "Z2OJLYMUO9EFXC"}


def _api_id(rid: str) -> str:
    """API Gateway ids: ten lower-case letters and digits."""
    return _digest(rid, 10)


def _rest_api(m: PreflightMocks, args: pulumi.runtime.MockResourceArgs, rid: str, state: dict[str, Any]) -> dict[str, Any]:
    region = m.region_of(args)
    api_id = _api_id(rid)
    return {
        "id": api_id,
        "rootResourceId": _digest(rid + "root", 10),
        "arn": f"arn:{PARTITION}:apigateway:{region}::/restapis/{api_id}",
        "executionArn": f"arn:{PARTITION}:execute-api:{region}:{m.account_id}:{api_id}",
    }


def _api_child(m: PreflightMocks, args: pulumi.runtime.MockResourceArgs, rid: str, state: dict[str, Any]) -> dict[str, Any]:
    """Resources and deployments: short ids of their own, no ARN."""
    return {"id": _digest(rid, 6)}


def _api_stage(m: PreflightMocks, args: pulumi.runtime.MockResourceArgs, rid: str, state: dict[str, Any]) -> dict[str, Any]:
    region = m.region_of(args)
    api_id, stage = str(args.inputs.get("restApi")), str(args.inputs.get("stageName"))
    return {
        "id": f"ags-{api_id}-{stage}",
        "arn": f"arn:{PARTITION}:apigateway:{region}::/restapis/{api_id}/stages/{stage}",
        "invokeUrl": f"https://{api_id}.execute-api.{region}.amazonaws.com/{stage}",
        "executionArn": f"arn:{PARTITION}:execute-api:{region}:{m.account_id}:{api_id}/{stage}",
    }


def _api_domain(m: PreflightMocks, args: pulumi.runtime.MockResourceArgs, rid: str, state: dict[str, Any]) -> dict[str, Any]:
    region = m.region_of(args)
    name = str(args.inputs.get("domainName"))
    return {
        "id": name,
        "arn": f"arn:{PARTITION}:apigateway:{region}::/domainnames/{name}",
        "regionalDomainName": f"d-{_digest(rid, 10)}.execute-api.{region}.amazonaws.com",
        "regionalZoneId": _API_GATEWAY_ZONES[region],
    }


def _state_machine(m: PreflightMocks, args: pulumi.runtime.MockResourceArgs, rid: str, state: dict[str, Any]) -> dict[str, Any]:
    # The provider's id is the ARN: arn:aws:states:<region>:<account>:stateMachine:<name>.
    arn = f"arn:{PARTITION}:states:{m.region_of(args)}:{m.account_id}:stateMachine:{state['name']}"
    return {"id": arn, "arn": arn, "status": "ACTIVE", "stateMachineVersionArn": "", "revisionId": ""}


def _schedule(m: PreflightMocks, args: pulumi.runtime.MockResourceArgs, rid: str, state: dict[str, Any]) -> dict[str, Any]:
    name = str(state["name"])
    group = str(state.get("groupName") or "default")
    return {"id": f"{group}/{name}", "arn": f"arn:{PARTITION}:scheduler:{m.region}:{m.account_id}:schedule/{group}/{name}"}


def _region_code(region: str) -> str:
    """``us-east-1`` -> ``use1``, as ElastiCache endpoints spell the region."""
    parts = region.split("-")
    return parts[0] + "".join(p[0] for p in parts[1:-1]) + parts[-1]


def _rds_instance(m: PreflightMocks, args: pulumi.runtime.MockResourceArgs, rid: str, state: dict[str, Any]) -> dict[str, Any]:
    # RDS auto-names the instance identifier (lower case) unless one is given.
    identifier = str(state["identifier"]).lower()
    port = int(state.get("port") or 5432)
    address = f"{identifier}.c{_digest(m.account_id + m.region, 12)}.{m.region}.rds.amazonaws.com"
    answer: dict[str, Any] = {
        "id": identifier,
        "identifier": identifier,
        "arn": f"arn:{PARTITION}:rds:{m.region}:{m.account_id}:db:{identifier}",
        "address": address,
        "endpoint": f"{address}:{port}",
        "port": port,
        "resourceId": f"db-{_digest(identifier, 26).upper()}",
        "hostedZoneId": "Z2R2ITUGPM61AM",
        "status": "available",
    }
    if state.get("manageMasterUserPassword"):
        answer["masterUserSecrets"] = [
            {
                "kmsKeyId": state.get("masterUserSecretKmsKeyId"),
                "secretArn": f"arn:{PARTITION}:secretsmanager:{m.region}:{m.account_id}:secret:"
                f"rds!db-{uuid.UUID(hex=_digest(identifier, 32))}-{_digest(identifier + 'sfx', 6)}",
                "secretStatus": "active",
            }
        ]
    return answer


def _replication_group(m: PreflightMocks, args: pulumi.runtime.MockResourceArgs, rid: str, state: dict[str, Any]) -> dict[str, Any]:
    group_id = str(state["replicationGroupId"]).lower()
    port = int(state.get("port") or 6379)
    shards = int(state.get("numNodeGroups") or 1)
    members = int(state.get("replicasPerNodeGroup") or 0) + 1
    host = f"{group_id}.{_digest(m.account_id + m.region, 6)}.{_region_code(m.region)}.cache.amazonaws.com"
    answer: dict[str, Any] = {
        "id": group_id,
        "replicationGroupId": group_id,
        "arn": f"arn:{PARTITION}:elasticache:{m.region}:{m.account_id}:replicationgroup:{group_id}",
        "port": port,
        "memberClusters": [f"{group_id}-{s:04d}-{n:03d}" for s in range(1, shards + 1) for n in range(1, members + 1)],
        "engineVersionActual": f"{state.get('engineVersion', '7.1')}.0",
    }
    if state.get("clusterMode") == "enabled":
        answer["configurationEndpointAddress"] = f"clustercfg.{host}"
        answer["clusterEnabled"] = True
    else:
        answer["primaryEndpointAddress"] = f"master.{host}"
        answer["readerEndpointAddress"] = f"replica.{host}"
    return answer


def _secretsmanager_secret(m: PreflightMocks, args: pulumi.runtime.MockResourceArgs, rid: str, state: dict[str, Any]) -> dict[str, Any]:
    # Secrets Manager appends six random characters to the secret's name in its ARN.
    arn = f"arn:{PARTITION}:secretsmanager:{m.region}:{m.account_id}:secret:{state['name']}-{_digest(rid, 6)}"
    return {"id": arn, "arn": arn}


def _secret_version(m: PreflightMocks, args: pulumi.runtime.MockResourceArgs, rid: str, state: dict[str, Any]) -> dict[str, Any]:
    version = str(uuid.UUID(hex=_digest(rid, 32)))
    return {"versionId": version, "id": f"{state.get('secretId')}|{version}"}


def _random_password(m: PreflightMocks, args: pulumi.runtime.MockResourceArgs, rid: str, state: dict[str, Any]) -> dict[str, Any]:
    # Deterministic, recognisable, and as long as asked: tests search the plan for it.
    length = int(state.get("length") or 16)
    value = ("MockPw" + _digest(args.name, 64) * 4)[:length]
    return {"result": value, "id": "none"}


def _event_rule(m: PreflightMocks, args: pulumi.runtime.MockResourceArgs, rid: str, state: dict[str, Any]) -> dict[str, Any]:
    # EventBridge rule ARNs: arn:aws:events:<region>:<account>:rule/<name> (default event bus).
    name = str(state["name"])
    return {"id": name, "arn": f"arn:{PARTITION}:events:{m.region}:{m.account_id}:rule/{name}"}


# Service-linked role names AWS gives (IAM user guide, "AWS services that work with IAM").
SERVICE_LINKED_ROLE_NAMES = {"autoscaling.amazonaws.com": "AWSServiceRoleForAutoScaling"}


def _service_linked_role(m: PreflightMocks, args: pulumi.runtime.MockResourceArgs, rid: str, state: dict[str, Any]) -> dict[str, Any]:
    service = str(state.get("awsServiceName") or "")
    if service not in SERVICE_LINKED_ROLE_NAMES:
        raise NotImplementedError(f"preflight knows no service-linked role name for {service!r}")
    name = SERVICE_LINKED_ROLE_NAMES[service] + (f"_{state['customSuffix']}" if state.get("customSuffix") else "")
    path = f"/aws-service-role/{service}/"
    return {"id": f"arn:{PARTITION}:iam::{m.account_id}:role{path}{name}", "arn": f"arn:{PARTITION}:iam::{m.account_id}:role{path}{name}", "name": name, "path": path}


def _oidc_provider(m: PreflightMocks, args: pulumi.runtime.MockResourceArgs, rid: str, state: dict[str, Any]) -> dict[str, Any]:
    """IAM names an OIDC provider by its URL without the scheme (oidc-provider/<host>[/path]); the ARN is its id."""
    url = str(state.get("url") or "").removeprefix("https://")
    arn = f"arn:{PARTITION}:iam::{m.account_id}:oidc-provider/{url}"
    return {"id": arn, "arn": arn}


def _eks_access_entry(m: PreflightMocks, args: pulumi.runtime.MockResourceArgs, rid: str, state: dict[str, Any]) -> dict[str, Any]:
    """An access entry's id is ``<cluster>:<principal ARN>``; it reports the principal it was given."""
    cluster, principal = str(state.get("clusterName") or ""), str(state.get("principalArn") or "")
    return {"id": f"{cluster}:{principal}", "accessEntryArn": f"arn:{PARTITION}:eks:{m.region}:{m.account_id}:access-entry/{cluster}/role/{m.account_id}/{rid}"}


# What the Serverless Application Repository applications the program deploys report as stack outputs.
SAR_OUTPUTS: dict[str, Callable[[PreflightMocks, dict[str, Any]], dict[str, str]]] = {
    "SecretsManagerRDSPostgreSQLRotationSingleUser": lambda m, params: {
        "RotationLambdaARN": f"arn:{PARTITION}:lambda:{m.region}:{m.account_id}:function:{params['functionName']}"
    },
}


def _serverless_application(m: PreflightMocks, args: pulumi.runtime.MockResourceArgs, rid: str, state: dict[str, Any]) -> dict[str, Any]:
    application = str(state.get("applicationId") or "").rsplit("/", 1)[-1]
    if application not in SAR_OUTPUTS:
        raise NotImplementedError(f"preflight knows no outputs of the application {application!r}; add them to SAR_OUTPUTS")
    # The repository prefixes the CloudFormation stack's name with "serverlessrepo-".
    stack_id = f"arn:{PARTITION}:cloudformation:{m.region}:{m.account_id}:stack/serverlessrepo-{state['name']}/{uuid.UUID(hex=_digest(rid, 32))}"
    return {"id": stack_id, "outputs": SAR_OUTPUTS[application](m, dict(state.get("parameters") or {}))}


def _efs(kind: str) -> ResourceAnswer:
    """EFS ARNs name the service ``elasticfilesystem`` and the kind ``file-system`` / ``access-point``."""

    def answer(m: PreflightMocks, args: pulumi.runtime.MockResourceArgs, rid: str, state: dict[str, Any]) -> dict[str, Any]:
        return {"arn": f"arn:{PARTITION}:elasticfilesystem:{m.region}:{m.account_id}:{kind}/{rid}"}

    return answer


def _dlm_policy(m: PreflightMocks, args: pulumi.runtime.MockResourceArgs, rid: str, state: dict[str, Any]) -> dict[str, Any]:
    return {"arn": f"arn:{PARTITION}:dlm:{m.region}:{m.account_id}:policy/{rid}"}


def _random_id(m: PreflightMocks, args: pulumi.runtime.MockResourceArgs, rid: str, state: dict[str, Any]) -> dict[str, Any]:
    # random_id's outputs: the bytes as hex, base64 (URL-safe, no padding) and decimal; id is the base64.
    raw = bytes.fromhex(_digest(args.name, 2 * int(state.get("byteLength") or 8)))
    b64 = base64.urlsafe_b64encode(raw).decode().rstrip("=")
    return {"hex": raw.hex(), "b64Url": b64, "b64Std": base64.b64encode(raw).decode(), "dec": str(int.from_bytes(raw, "big")), "id": b64}


def _codeconnections_connection(m: PreflightMocks, args: pulumi.runtime.MockResourceArgs, rid: str, state: dict[str, Any]) -> dict[str, Any]:
    # Connections are known by a UUID; a new one waits for its handshake in the console.
    service = "codeconnections" if args.typ.startswith("aws:codeconnections") else "codestar-connections"
    arn = f"arn:{PARTITION}:{service}:{m.region}:{m.account_id}:connection/{uuid.UUID(hex=_digest(rid, 32))}"
    return {"id": arn, "arn": arn, "connectionStatus": "PENDING", "ownerAccountId": m.account_id}


def _codebuild_project(m: PreflightMocks, args: pulumi.runtime.MockResourceArgs, rid: str, state: dict[str, Any]) -> dict[str, Any]:
    name = str(state["name"])
    return {"id": name, "arn": f"arn:{PARTITION}:codebuild:{m.region}:{m.account_id}:project/{name}"}


# --- load balancers, certificates, DNS ---------------------------------------------------

# Route 53 hosted zone of Application Load Balancers per region (alias targets name it).
_ALB_HOSTED_ZONES = {"us-east-1": "Z35SXDOTRQ7X7K", "us-east-2": "Z3AADJGX6KTTL2", "us-west-2": "Z1H1FL5HABSF5"}


def _elb_arn(m: PreflightMocks, kind: str, name: str, rid: str) -> tuple[str, str]:
    """An ELB ARN and its suffix (``app/<name>/<id>``, ``targetgroup/<name>/<id>``), the CloudWatch dimension."""
    suffix = f"{kind}/{name}/{_digest(rid, 16)}"
    resource = f"loadbalancer/{suffix}" if kind == "app" else suffix
    return f"arn:{PARTITION}:elasticloadbalancing:{m.region}:{m.account_id}:{resource}", suffix


def _load_balancer(m: PreflightMocks, args: pulumi.runtime.MockResourceArgs, rid: str, state: dict[str, Any]) -> dict[str, Any]:
    name = str(state["name"])
    arn, suffix = _elb_arn(m, "app", name, rid)
    scheme = "internal-" if args.inputs.get("internal") else ""
    return {
        "id": arn,
        "arn": arn,
        "arnSuffix": suffix,
        "dnsName": f"{scheme}{name}-{int(_digest(rid, 8), 16) % 10**10}.{m.region}.elb.amazonaws.com",
        "zoneId": _ALB_HOSTED_ZONES.get(m.region, "Z35SXDOTRQ7X7K"),
    }


def _target_group(m: PreflightMocks, args: pulumi.runtime.MockResourceArgs, rid: str, state: dict[str, Any]) -> dict[str, Any]:
    arn, suffix = _elb_arn(m, "targetgroup", str(state["name"]), rid)
    return {"id": arn, "arn": arn, "arnSuffix": suffix}


def _listener(m: PreflightMocks, args: pulumi.runtime.MockResourceArgs, rid: str, state: dict[str, Any]) -> dict[str, Any]:
    arn = f"arn:{PARTITION}:elasticloadbalancing:{m.region}:{m.account_id}:listener/app/lb/{_digest(rid + 'lb', 16)}/{_digest(rid, 16)}"
    return {"id": arn, "arn": arn}


def _certificate(m: PreflightMocks, args: pulumi.runtime.MockResourceArgs, rid: str, state: dict[str, Any]) -> dict[str, Any]:
    """ACM: one DNS validation CNAME per name, ``_<hash>.<name>.`` -> ``_<hash>.<hash>.acm-validations.aws.``."""
    names = [str(args.inputs.get("domainName"))] + [str(n) for n in args.inputs.get("subjectAlternativeNames") or []]
    arn = f"arn:{PARTITION}:acm:{m.region_of(args)}:{m.account_id}:certificate/{uuid.UUID(hex=_digest(rid, 32))}"
    return {
        "id": arn,
        "arn": arn,
        "status": "PENDING_VALIDATION",
        "domainValidationOptions": [
            {
                "domainName": name,
                "resourceRecordName": f"_{_digest(name, 32)}.{name}.",
                "resourceRecordType": "CNAME",
                "resourceRecordValue": f"_{_digest(name + 'value', 32)}.{_digest(name, 10)}.acm-validations.aws.",
            }
            for name in dict.fromkeys(names)
        ],
    }


def _route53_record(m: PreflightMocks, args: pulumi.runtime.MockResourceArgs, rid: str, state: dict[str, Any]) -> dict[str, Any]:
    name = str(args.inputs.get("name") or "").rstrip(".")
    return {"id": f"{args.inputs.get('zoneId')}_{name}_{args.inputs.get('type')}", "fqdn": name}


def _web_acl(m: PreflightMocks, args: pulumi.runtime.MockResourceArgs, rid: str, state: dict[str, Any]) -> dict[str, Any]:
    """WAF ARNs name the scope: ``regional/webacl/<name>/<id>``, or ``global/webacl/...`` for CloudFront (us-east-1)."""
    name = str(state["name"])
    acl_id = str(uuid.UUID(hex=_digest(rid, 32)))
    scope = "global" if args.inputs.get("scope") == "CLOUDFRONT" else "regional"
    arn = f"arn:{PARTITION}:wafv2:{m.region_of(args)}:{m.account_id}:{scope}/webacl/{name}/{acl_id}"
    capacity = len(args.inputs.get("rules") or []) * 100
    return {"id": acl_id, "arn": arn, "capacity": capacity, "lockToken": str(uuid.UUID(hex=_digest(rid + "lock", 32)))}


def _distribution(m: PreflightMocks, args: pulumi.runtime.MockResourceArgs, rid: str, state: dict[str, Any]) -> dict[str, Any]:
    """CloudFront: ``E`` and 13 upper-case characters; a global ARN (no region); ``d<14>.cloudfront.net``."""
    distribution_id = "E" + _digest(rid, 13).upper()
    return {
        "id": distribution_id,
        "arn": f"arn:{PARTITION}:cloudfront::{m.account_id}:distribution/{distribution_id}",
        "domainName": f"d{_digest(rid + 'domain', 13)}.cloudfront.net",
        "hostedZoneId": "Z2FDTNDATAQYW2",
        "status": "InProgress",
        "etag": _digest(rid + "etag", 14).upper(),
        "callerReference": _digest(rid + "ref", 16),
    }


def _cloudfront_policy(kind: str) -> ResourceAnswer:
    """Origin access controls (``E`` + 13) and response-headers policies (a UUID); ARNs are global."""

    def answer(m: PreflightMocks, args: pulumi.runtime.MockResourceArgs, rid: str, state: dict[str, Any]) -> dict[str, Any]:
        policy_id = "E" + _digest(rid, 13).upper() if kind == "origin-access-control" else str(uuid.UUID(hex=_digest(rid, 32)))
        return {"id": policy_id, "arn": f"arn:{PARTITION}:cloudfront::{m.account_id}:{kind}/{policy_id}", "etag": _digest(rid, 14).upper()}

    return answer


def _lambda_function(m: PreflightMocks, args: pulumi.runtime.MockResourceArgs, rid: str, state: dict[str, Any]) -> dict[str, Any]:
    """A function's ARN by name; a published function's first version is ``1`` (``qualifiedArn`` names it)."""
    name = str(args.inputs.get("name") or state["name"])
    arn = f"arn:{PARTITION}:lambda:{m.region_of(args)}:{m.account_id}:function:{name}"
    version = "1" if args.inputs.get("publish") else "$LATEST"
    return {
        "id": name,
        "arn": arn,
        "version": version,
        "qualifiedArn": f"{arn}:{version}",
        "invokeArn": f"arn:{PARTITION}:apigateway:{m.region_of(args)}:lambda:path/2015-03-31/functions/{arn}/invocations",
        "sourceCodeHash": base64.b64encode(hashlib.sha256(rid.encode()).digest()).decode(),
    }


def _log_delivery_part(kind: str) -> ResourceAnswer:
    """CloudWatch Logs vended delivery: sources and destinations by name, deliveries by a generated id."""

    def answer(m: PreflightMocks, args: pulumi.runtime.MockResourceArgs, rid: str, state: dict[str, Any]) -> dict[str, Any]:
        region = m.region_of(args)
        if kind == "delivery":
            delivery_id = _digest(rid, 16)
            return {"id": delivery_id, "arn": f"arn:{PARTITION}:logs:{region}:{m.account_id}:delivery:{delivery_id}"}
        name = str(args.inputs.get("name") or state["name"])
        result = {"id": name, "name": name, "arn": f"arn:{PARTITION}:logs:{region}:{m.account_id}:{kind}:{name}"}
        if kind == "delivery-source":
            result["service"] = "cloudfront"
        return result

    return answer


# CloudFront's origin-facing managed prefix list: its id per region (AWS publishes one in each).
_CLOUDFRONT_PREFIX_LISTS = {"us-east-1": "pl-3b927c52", "us-east-2": "pl-b6a144df", "us-west-2": "pl-82a045eb"}


def _managed_prefix_list(m: PreflightMocks, args: dict[str, Any]) -> dict[str, Any]:
    name = str(args.get("name") or "")
    if name != "com.amazonaws.global.cloudfront.origin-facing":
        raise NotImplementedError(f"preflight knows no managed prefix list named {name!r}")
    pl_id = _CLOUDFRONT_PREFIX_LISTS[m.region]
    return {
        "id": pl_id,
        "name": name,
        "arn": f"arn:{PARTITION}:ec2:{m.region}:aws:prefix-list/{pl_id}",
        "addressFamily": "IPv4",
        "ownerId": "AWS",
        "maxEntries": 55,
        "version": 42,
        "entries": [{"cidr": cidr, "description": ""} for cidr in ("130.176.0.0/18", "15.158.0.0/16", "64.252.64.0/18")],
        "tags": {},
    }


def _hosted_zone(m: PreflightMocks, args: dict[str, Any]) -> dict[str, Any]:
    """An existing public hosted zone found by name (``Z`` and 20 upper-case characters)."""
    name = str(args.get("name") or "").rstrip(".")
    zone_id = "Z" + _digest(name, 20).upper()
    return {
        "id": zone_id,
        "zoneId": zone_id,
        "name": name,
        "arn": f"arn:{PARTITION}:route53:::hostedzone/{zone_id}",
        "callerReference": _digest(name + "ref", 16),
        "comment": "",
        "privateZone": False,
        "resourceRecordSetCount": 12,
        "nameServers": [f"ns-{i}.awsdns-{i % 64:02d}.{tld}" for i, tld in ((101, "com"), (202, "net"), (303, "org"), (404, "co.uk"))],
        "primaryNameServer": "ns-101.awsdns-101.com",
        "tags": {},
        "linkedServiceDescription": "",
        "linkedServicePrincipal": "",
    }


# --- AWS Backup, cross-Region replication --------------------------------------------------


def _backup_vault(m: PreflightMocks, args: pulumi.runtime.MockResourceArgs, rid: str, state: dict[str, Any]) -> dict[str, Any]:
    name = str(state["name"])
    return {"id": name, "name": name, "arn": f"arn:{PARTITION}:backup:{m.region}:{m.account_id}:backup-vault:{name}", "recoveryPoints": 0}


def _backup_plan(m: PreflightMocks, args: pulumi.runtime.MockResourceArgs, rid: str, state: dict[str, Any]) -> dict[str, Any]:
    # Plans are known by a generated UUID; each update makes a new version id.
    plan_id = str(uuid.UUID(hex=_digest(rid, 32)))
    return {"id": plan_id, "arn": f"arn:{PARTITION}:backup:{m.region}:{m.account_id}:backup-plan:{plan_id}", "version": _digest(rid + "v", 32)}


def _backup_selection(m: PreflightMocks, args: pulumi.runtime.MockResourceArgs, rid: str, state: dict[str, Any]) -> dict[str, Any]:
    return {"id": str(uuid.UUID(hex=_digest(rid, 32)))}


def _vault_lock(m: PreflightMocks, args: pulumi.runtime.MockResourceArgs, rid: str, state: dict[str, Any]) -> dict[str, Any]:
    name = str(args.inputs.get("backupVaultName") or rid)
    return {"id": name, "backupVaultArn": f"arn:{PARTITION}:backup:{m.region}:{m.account_id}:backup-vault:{name}"}


def _automated_backups_replication(m: PreflightMocks, args: pulumi.runtime.MockResourceArgs, rid: str, state: dict[str, Any]) -> dict[str, Any]:
    # The replicated backup's ARN in the destination region: auto-backup:ab-<26 lower-case characters>.
    arn = f"arn:{PARTITION}:rds:{m.region}:{m.account_id}:auto-backup:ab-{_digest(rid, 26)}"
    return {"id": arn, "retentionPeriod": int(state.get("retentionPeriod") or 7)}


def _efs_replication(m: PreflightMocks, args: pulumi.runtime.MockResourceArgs, rid: str, state: dict[str, Any]) -> dict[str, Any]:
    source = str(args.inputs.get("sourceFileSystemId") or "fs-0")
    destination = dict(args.inputs.get("destination") or {})
    region = str(destination.get("region") or m.region)
    destination.setdefault("fileSystemId", f"fs-0{_digest(rid + region, 16)}")
    destination["status"] = "ENABLED"
    return {
        "id": source,
        "destination": destination,
        "originalSourceFileSystemArn": f"arn:{PARTITION}:elasticfilesystem:{m.region}:{m.account_id}:file-system/{source}",
        "sourceFileSystemArn": f"arn:{PARTITION}:elasticfilesystem:{m.region}:{m.account_id}:file-system/{source}",
        "sourceFileSystemRegion": m.region,
    }


RESOURCE_OUTPUTS: dict[str, ResourceAnswer] = {
    "aws:codeconnections/connection:Connection": _codeconnections_connection,
    "aws:codestarconnections/connection:Connection": _codeconnections_connection,
    "aws:codebuild/project:Project": _codebuild_project,
    "random:index/randomId:RandomId": _random_id,
    "aws:s3/bucket:Bucket": _s3_bucket,
    "aws:efs/fileSystem:FileSystem": _efs("file-system"),
    "aws:efs/accessPoint:AccessPoint": _efs("access-point"),
    "aws:dlm/lifecyclePolicy:LifecyclePolicy": _dlm_policy,
    **{token: _sagemaker for token in SAGEMAKER_ARN_KINDS},
    "aws:kms/key:Key": _kms_key,
    "aws:ec2/vpc:Vpc": _vpc,
    "aws:ec2/eip:Eip": _eip,
    "aws:ec2/instance:Instance": _instance,
    "aws:rds/subnetGroup:SubnetGroup": _lowercase_name,
    "aws:elasticache/subnetGroup:SubnetGroup": _lowercase_name,
    "aws:cloudwatch/logGroup:LogGroup": _log_group,
    "aws:cloudwatch/logStream:LogStream": _log_stream,
    "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream": _firehose_stream,
    "eks:index:Cluster": _eks_cluster,
    "aws:eks/nodeGroup:NodeGroup": _eks_node_group,
    "aws:ec2/launchTemplate:LaunchTemplate": _launch_template,
    "aws:sqs/queue:Queue": _sqs_queue,
    "aws:scheduler/schedule:Schedule": _schedule,
    "aws:apigateway/restApi:RestApi": _rest_api,
    "aws:apigateway/resource:Resource": _api_child,
    "aws:apigateway/deployment:Deployment": _api_child,
    "aws:apigateway/stage:Stage": _api_stage,
    "aws:apigateway/domainName:DomainName": _api_domain,
    "aws:sfn/stateMachine:StateMachine": _state_machine,
    "aws:rds/instance:Instance": _rds_instance,
    "aws:rds/parameterGroup:ParameterGroup": _lowercase_name,
    "aws:elasticache/parameterGroup:ParameterGroup": _lowercase_name,
    "aws:elasticache/replicationGroup:ReplicationGroup": _replication_group,
    "aws:secretsmanager/secret:Secret": _secretsmanager_secret,
    "aws:secretsmanager/secretVersion:SecretVersion": _secret_version,
    "random:index/randomPassword:RandomPassword": _random_password,
    "aws:cloudwatch/eventRule:EventRule": _event_rule,
    "aws:iam/serviceLinkedRole:ServiceLinkedRole": _service_linked_role,
    "aws:iam/openIdConnectProvider:OpenIdConnectProvider": _oidc_provider,
    "aws:eks/accessEntry:AccessEntry": _eks_access_entry,
    "aws:serverlessrepository/cloudFormationStack:CloudFormationStack": _serverless_application,
    "aws:lb/loadBalancer:LoadBalancer": _load_balancer,
    "aws:lb/targetGroup:TargetGroup": _target_group,
    "aws:lb/listener:Listener": _listener,
    "aws:acm/certificate:Certificate": _certificate,
    "aws:route53/record:Record": _route53_record,
    "aws:wafv2/webAcl:WebAcl": _web_acl,
    "aws:backup/vault:Vault": _backup_vault,
    "aws:backup/plan:Plan": _backup_plan,
    "aws:backup/selection:Selection": _backup_selection,
    "aws:backup/vaultLockConfiguration:VaultLockConfiguration": _vault_lock,
    "aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication": _automated_backups_replication,
    "aws:efs/replicationConfiguration:ReplicationConfiguration": _efs_replication,
    "aws:cloudfront/distribution:Distribution": _distribution,
    "aws:cloudfront/originAccessControl:OriginAccessControl": _cloudfront_policy("origin-access-control"),
    "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy": _cloudfront_policy("response-headers-policy"),
    "aws:cloudfront/cachePolicy:CachePolicy": _cloudfront_policy("cache-policy"),
    "aws:lambda/function:Function": _lambda_function,
    "aws:cloudwatch/logDeliverySource:LogDeliverySource": _log_delivery_part("delivery-source"),
    "aws:cloudwatch/logDeliveryDestination:LogDeliveryDestination": _log_delivery_part("delivery-destination"),
    "aws:cloudwatch/logDelivery:LogDelivery": _log_delivery_part("delivery"),
}


def _caller_identity(m: PreflightMocks, args: dict[str, Any]) -> dict[str, Any]:
    return {
        "accountId": m.account_id,
        "arn": f"arn:{PARTITION}:iam::{m.account_id}:user/preflight",
        "userId": "AIDAPREFLIGHTOFFLINE",
        "id": m.account_id,
    }


def _region(m: PreflightMocks, args: dict[str, Any]) -> dict[str, Any]:
    return {"name": m.region, "region": m.region, "id": m.region, "endpoint": f"ec2.{m.region}.amazonaws.com", "description": m.region}


def _partition(m: PreflightMocks, args: dict[str, Any]) -> dict[str, Any]:
    return {"partition": PARTITION, "dnsSuffix": "amazonaws.com", "id": PARTITION, "reverseDnsPrefix": "com.amazonaws"}


def _availability_zones(m: PreflightMocks, args: dict[str, Any]) -> dict[str, Any]:
    names = [f"{m.region}{letter}" for letter in "abc"]
    # Zone ids name the region (use1-az1, usw2-az1); us-east-1's a-c map to az1, az2, az4 here.
    numbers = (1, 2, 4) if m.region == "us-east-1" else (1, 2, 3)
    return {"names": names, "zoneIds": [f"{_region_code(m.region)}-az{i}" for i in numbers], "id": m.region, "state": "available"}


def _ami(m: PreflightMocks, args: dict[str, Any]) -> dict[str, Any]:
    filters = {f["name"]: f["values"] for f in args.get("filters", [])}
    pattern = (filters.get("name") or ["image-*"])[0]
    ami_id = f"ami-0{_digest(repr(sorted(filters.items())), 16)}"
    return {
        "id": ami_id,
        "imageId": ami_id,
        "arn": f"arn:{PARTITION}:ec2:{m.region}::image/{ami_id}",
        "name": pattern.replace("*", "2025.01.01"),
        "architecture": (filters.get("architecture") or ["x86_64"])[0],
        "ownerId": (args.get("owners") or [m.account_id])[0],
        "rootDeviceType": "ebs",
        "virtualizationType": "hvm",
    }


# The AWS-managed prefix lists of the gateway-endpoint services (ids as in us-east-1).
_PREFIX_LISTS = {"s3": ("pl-63a5400a", ["54.231.0.0/16", "52.216.0.0/15", "3.5.0.0/19"]), "dynamodb": ("pl-02cd2c6b", ["52.94.0.0/22"])}


def _prefix_list(m: PreflightMocks, args: dict[str, Any]) -> dict[str, Any]:
    name = str(args.get("name") or f"com.amazonaws.{m.region}.s3")
    service = name.rsplit(".", 1)[-1]
    if service not in _PREFIX_LISTS:
        raise NotImplementedError(f"preflight knows no managed prefix list named {name}")
    pl_id, cidrs = _PREFIX_LISTS[service]
    return {"id": pl_id, "prefixListId": pl_id, "name": name, "cidrBlocks": cidrs, "region": m.region, "filters": []}


def _service_quota(m: PreflightMocks, args: dict[str, Any]) -> dict[str, Any]:
    """A quota looked up by code or name; the code of a name is stable (Service Quotas codes are L-<8 hex>)."""
    service = str(args.get("serviceCode") or "ec2")
    name = str(args.get("quotaName") or "")
    code = str(args.get("quotaCode") or "L-" + _digest(f"{service}/{name}", 8).upper())
    return {
        "id": f"{service}/{code}",
        "adjustable": True,
        "arn": f"arn:{PARTITION}:servicequotas:{m.region}:{m.account_id}:{service}/{code}",
        "defaultValue": 0.0,
        "globalQuota": False,
        "quotaCode": code,
        "quotaName": name or code,
        "serviceCode": service,
        "serviceName": service,
        "usageMetrics": [],
        "value": 0.0,
        "region": m.region,
    }


def _get_secret_version(m: PreflightMocks, args: dict[str, Any]) -> dict[str, Any]:
    """A secret's current value: registry pull credentials are the JSON the docs ask to store."""
    secret_id = str(args.get("secretId") or "secret")
    name = secret_id.split(":secret:", 1)[-1]
    arn = secret_id if secret_id.startswith("arn:") else (
        f"arn:{PARTITION}:secretsmanager:{m.region}:{m.account_id}:secret:{name}-{_digest(name, 6)}"
    )
    version = str(uuid.UUID(hex=_digest(arn + "v", 32)))
    if "github-app" in name:
        # A GitHub App's credentials, as docs/delivery.md asks to store them for the runner scale set.
        value = json.dumps(
            {"github_app_id": "123456", "github_app_installation_id": "654321", "github_app_private_key": "-----BEGIN RSA PRIVATE KEY-----\nMOCK" + _digest(arn, 32) + "\n-----END RSA PRIVATE KEY-----\n"}
        )
    else:
        value = json.dumps({"username": "preflight", "password": "MockPw" + _digest(arn, 32)})
    return {
        "arn": arn,
        "id": f"{arn}|AWSCURRENT",
        "secretId": secret_id,
        "secretString": value,
        "secretBinary": "",
        "versionId": version,
        "versionStage": "AWSCURRENT",
        "versionStages": ["AWSCURRENT"],
        "createdDate": "2026-11-26T00:00:00Z",
    }


INVOKE_ANSWERS: dict[str, InvokeAnswer] = {
    "aws:servicequotas/getServiceQuota:getServiceQuota": _service_quota,
    "aws:secretsmanager/getSecretVersion:getSecretVersion": _get_secret_version,
    "aws:ec2/getPrefixList:getPrefixList": _prefix_list,
    "aws:index/getCallerIdentity:getCallerIdentity": _caller_identity,
    "aws:index/getRegion:getRegion": _region,
    "aws:index/getPartition:getPartition": _partition,
    "aws:index/getAvailabilityZones:getAvailabilityZones": _availability_zones,
    "aws:ec2/getAmi:getAmi": _ami,
    "aws:ec2/getManagedPrefixList:getManagedPrefixList": _managed_prefix_list,
    "aws:route53/getZone:getZone": _hosted_zone,
}
