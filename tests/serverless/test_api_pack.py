"""apigateway-stage-access-logged-tls through real pulumi-aws registrations: violating and compliant cases
for REST stages' access logs, custom domains' TLS and default endpoints' TLS; and the stack's own API."""

from __future__ import annotations

from collections.abc import Callable
from typing import Optional

import pulumi_aws as aws
import pytest

from policies.api_gateway import tls_policy_problem
from tests.policy_plans import messages, sdk_plan

POLICY = "apigateway-stage-access-logged-tls"
GROUP = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/apigateway/api/v1/access"
Program = Callable[[], None]


def _stage(*, destination: Optional[str] = GROUP, log_format: str = '{"requestId":"$context.requestId"}') -> Program:
    def program() -> None:
        api = aws.apigateway.RestApi("api", security_policy="TLS_1_2")
        aws.apigateway.Stage(
            "v1",
            rest_api=api.id,
            deployment="d-1",
            stage_name="v1",
            access_log_settings=aws.apigateway.StageAccessLogSettingsArgs(destination_arn=destination, format=log_format)
            if destination
            else None,
        )

    return program


def _domain(policy: Optional[str]) -> Program:
    def program() -> None:
        aws.apigateway.DomainName(
            "hooks",
            domain_name="hooks.example.com",
            regional_certificate_arn="arn:aws:acm:us-east-1:123456789012:certificate/c",
            endpoint_configuration=aws.apigateway.DomainNameEndpointConfigurationArgs(types="REGIONAL"),
            security_policy=policy,
            endpoint_access_mode="STRICT" if policy and policy.startswith("SecurityPolicy_") else None,
        )

    return program


def _api(*, policy: Optional[str] = None, disabled: bool = False, endpoint: str = "REGIONAL") -> Program:
    def program() -> None:
        aws.apigateway.RestApi(
            "api",
            endpoint_configuration=aws.apigateway.RestApiEndpointConfigurationArgs(types=endpoint),
            security_policy=policy,
            disable_execute_api_endpoint=disabled,
        )

    return program


CASES = [
    (_stage(destination=None), "no access logs", _stage()),
    (_stage(log_format='{"status":"$context.status"}'), "neither $context.requestId nor $context.extendedRequestId",
     _stage(log_format='{"id":"$context.extendedRequestId"}')),
    (_domain("TLS_1_0"), "securityPolicy is 'TLS_1_0', which accepts TLS 1.0", _domain("TLS_1_2")),
    (_domain(None), "securityPolicy is not set", _domain("SecurityPolicy_TLS13_1_3_2025_09")),
    (_api(), "default execute-api endpoint is on and securityPolicy is not set", _api(policy="TLS_1_2")),
    (_api(policy="TLS_1_0"), "which accepts TLS 1.0", _api(policy="TLS_1_0", disabled=True)),
]


@pytest.mark.parametrize(("violating", "fragment", "compliant"), CASES, ids=[c[1][:30] for c in CASES])
def test_violating_and_compliant(violating: Program, fragment: str, compliant: Program) -> None:
    found = messages(sdk_plan(violating), POLICY)
    assert found and any(fragment in m for m in found), found
    assert all("Fix:" in m for m in found)
    assert messages(sdk_plan(compliant), POLICY) == []


def test_private_apis_are_tls12_by_default() -> None:
    assert messages(sdk_plan(_api(endpoint="PRIVATE")), POLICY) == []


def test_tls_policies() -> None:
    assert tls_policy_problem("TLS_1_2") is None
    assert tls_policy_problem("SecurityPolicy_TLS12_PFS_2025_EDGE") is None
    assert tls_policy_problem("SecurityPolicy_TLS13_1_2_2021_06") is None
    assert tls_policy_problem("TLS_1_0") == "is 'TLS_1_0', which accepts TLS 1.0"
