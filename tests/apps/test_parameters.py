"""Parameter Store: the names applications read, checked as SSM checks them, in both stacks."""

from __future__ import annotations

import pytest

from components.apps.parameters_plan import parameter_name, parameter_path
from preflight.harness import Plan

KEYS = {
    "database/address",
    "database/port",
    "database/name",
    "database/master-secret-arn",
    "cache/configuration-endpoint",
    "cache/port",
    "cache/auth-secret-arn",
    "inference/endpoint-name",
    "inference/prompt-generator-url",
    "buckets/models",
    "buckets/assets",
    "buckets/backups",
    "buckets/logs",
    "queues/intent-classification-url",
}


def test_names_are_checked_as_ssm_checks_them() -> None:
    path = parameter_path("betterprompts", "production")
    assert parameter_name(path, "database/address") == "/betterprompts/production/database/address"
    with pytest.raises(ValueError, match="letters, digits"):
        parameter_name(path, "database/addr ess")
    with pytest.raises(ValueError, match="15 levels"):
        parameter_name(path, "/".join("x" * 14))
    with pytest.raises(ValueError, match="aws or ssm"):
        parameter_name("/aws", "x")


def test_every_stack_publishes_its_endpoints_and_names(plan: Plan) -> None:
    parameters = {p.inputs["name"]: p for p in plan.of_type("aws:ssm/parameter:Parameter")}
    path = f"/betterprompts/{plan.stack}"
    # Both stacks serve through SageMaker, so both publish its endpoint's name.
    assert set(parameters) == {f"{path}/{key}" for key in KEYS}
    assert parameters[f"{path}/inference/endpoint-name"].inputs["insecureValue"] == plan.outputs["inferenceEndpointName"]
    assert plan.outputs["parameterPath"] == path
    for parameter in parameters.values():
        # Endpoints and names are not secrets (credentials stay in Secrets Manager; only ARNs are here).
        assert parameter.inputs["type"] == "String" and "value" not in parameter.inputs
    assert parameters[f"{path}/buckets/logs"].inputs["insecureValue"] == plan.outputs["bucketNames"]["logs"]
    assert parameters[f"{path}/database/master-secret-arn"].inputs["insecureValue"] == plan.outputs["databaseMasterSecretArn"]
    assert parameters[f"{path}/cache/port"].inputs["insecureValue"] == str(plan.outputs["cachePort"])
    # Computed before the queue exists: it must be the URL SQS gives the queue.
    assert parameters[f"{path}/queues/intent-classification-url"].inputs["insecureValue"] == plan.outputs["intentQueueUrl"]


def test_secure_values_need_a_customer_managed_key_and_distinct_keys() -> None:
    from components.apps import AppParameters, AppParametersArgs

    with pytest.raises(ValueError, match="need kms_key_arn"):
        AppParameters("p", AppParametersArgs(path="/p/s", values={}, secure_values={"a/b": "x"}))
    with pytest.raises(ValueError, match="both plain and secure"):
        AppParameters("p", AppParametersArgs(path="/p/s", values={"a/b": "x"}, secure_values={"a/b": "x"}, kms_key_arn="k"))
