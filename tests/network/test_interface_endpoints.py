"""Optional interface endpoints (ECR, STS, ...): validated, private DNS in the app subnets, priced, counted."""

from __future__ import annotations

from typing import Any

import pytest

from components.settings import ConfigError
from preflight import cost_stage, policy_stage, quota_stage
from preflight.harness import run_stack
from tests.stack_config import load, with_value

KEY = "betterprompts:network.interfaceEndpoints"


def test_no_stack_has_interface_endpoints_by_default() -> None:
    for stack in ("production", "staging"):
        assert load(with_value("network", "flowLogs.retentionDays", 30, stack=stack), stack).network.interface_endpoints == ()


@pytest.mark.parametrize(
    "value",
    [["ecr.dkr"], ["ecr.api"], ["s3"], ["sts", "sts"], "sts"],
)
def test_bad_endpoint_lists_name_the_key(value: Any) -> None:
    with pytest.raises(ConfigError) as error:
        load(with_value("network", "interfaceEndpoints", value))
    assert error.value.key.startswith(KEY)


def test_endpoints_in_the_app_subnets_behind_a_vpc_only_group() -> None:
    plan = run_stack("production", config=with_value("network", "interfaceEndpoints", ["ecr.api", "ecr.dkr", "sts"]))
    endpoints = {r.inputs["serviceName"]: r for r in plan.of_type("aws:ec2/vpcEndpoint:VpcEndpoint") if r.inputs["vpcEndpointType"] == "Interface"}
    assert set(endpoints) == {f"com.amazonaws.us-east-1.{s}" for s in ("ecr.api", "ecr.dkr", "sts")}
    [sg] = [r for r in plan.of_type("aws:ec2/securityGroup:SecurityGroup") if r.name.endswith("-network-endpoints")]
    [ingress] = [r for r in plan.of_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule") if r.name.endswith("-endpoints-https")]
    assert (ingress.inputs["cidrIpv4"], ingress.inputs["fromPort"], ingress.inputs["toPort"]) == ("10.0.0.0/16", 443, 443)
    for endpoint in endpoints.values():
        assert endpoint.inputs["subnetIds"] == plan.outputs["subnetIds"]["app"]
        assert endpoint.inputs["securityGroupIds"] == [sg.id] and endpoint.inputs["privateDnsEnabled"] is True
    document = plan.to_json()
    # Production's estimate sits within ~$55 of its $6,000 budget (policies/config/production.json) since
    # Managed Prometheus, and three endpoints in three AZs add ~$66: the budget policy says so, and no
    # other policy objects to the endpoints.
    verdicts = policy_stage.run(document).data
    assert {v["policy"] for v in verdicts if isinstance(v, dict)} <= {"baseline-under-budget"}
    lines = cost_stage.run(document).lines
    assert any("ecr.dkr in 3 AZs + 200 GB of image pulls" in line for line in lines)
    quotas = {q["key"]: q for q in quota_stage.run(document).data}
    assert quotas["vpc/L-29B6F2EB"]["needed"] == 3
