"""``betterprompts:quotas.requests``: validated, turned into ServiceQuota requests, compared with the peak."""

from __future__ import annotations

from typing import Any

import pytest

from components.platform import ConfigError, QuotaSettings, Section
from preflight import policy_stage, quota_stage
from preflight.harness import run_stack
from tests.stack_config import config_of, load

GPU_NODES = "ec2/L-DB2E81BA"
SAGEMAKER_G4DN = "sagemaker/ml.g4dn.xlarge for endpoint usage"


def _read(requests: Any) -> QuotaSettings:
    return QuotaSettings.read(Section({"requests": requests}, "betterprompts:quotas"))


def test_known_quotas_are_read_with_their_service_and_code() -> None:
    settings = _read({GPU_NODES: 44, SAGEMAKER_G4DN: 7})
    by_key = {r.key: r for r in settings.requests}
    assert (by_key[GPU_NODES].service, by_key[GPU_NODES].code, by_key[GPU_NODES].value) == ("ec2", "L-DB2E81BA", 44.0)
    assert (by_key[SAGEMAKER_G4DN].service, by_key[SAGEMAKER_G4DN].code) == ("sagemaker", None)
    assert by_key[SAGEMAKER_G4DN].name == "ml.g4dn.xlarge for endpoint usage"
    assert settings.to_json() == {GPU_NODES: 44.0, SAGEMAKER_G4DN: 7.0}


def test_both_stacks_request_nothing_by_default() -> None:
    for stack in ("production", "staging"):
        assert load(config_of(stack), stack).quotas.requests == ()


@pytest.mark.parametrize(
    ("requests", "key"),
    [
        ({"ec2/L-00000000": 5}, "betterprompts:quotas.requests.ec2/L-00000000"),
        ({"sagemaker/ml.nope for endpoint usage": 5}, "betterprompts:quotas.requests.sagemaker/ml.nope for endpoint usage"),
        ({GPU_NODES: 0}, f"betterprompts:quotas.requests.{GPU_NODES}"),
        ({GPU_NODES: "lots"}, f"betterprompts:quotas.requests.{GPU_NODES}"),
        ([GPU_NODES], "betterprompts:quotas.requests"),
    ],
)
def test_bad_requests_name_the_key(requests: Any, key: str) -> None:
    with pytest.raises(ConfigError) as error:
        _read(requests)
    assert error.value.key == key


def test_unknown_keys_in_the_section_are_rejected() -> None:
    with pytest.raises(ConfigError, match="betterprompts:quotas.request"):
        QuotaSettings.read(Section({"request": {}}, "betterprompts:quotas"))


def _production_with(requests: dict[str, Any]) -> Any:
    config = config_of("production")
    config["betterprompts:quotas"] = {"requests": requests}
    return run_stack("production", config=config)


def test_requests_become_service_quota_resources_and_are_checked_against_the_peak() -> None:
    plan = _production_with({GPU_NODES: 44, SAGEMAKER_G4DN: 4})
    quotas = {r.inputs["serviceCode"] + "/" + r.name.rsplit("-quotas-", 1)[1]: r.inputs for r in plan.of_type("aws:servicequotas/serviceQuota:ServiceQuota")}
    assert quotas["ec2/ec2-l-db2e81ba"] == {"serviceCode": "ec2", "quotaCode": "L-DB2E81BA", "value": 44.0}
    # SageMaker's per-type quota has no published code: it is looked up by name at deploy time.
    by_name = quotas["sagemaker/sagemaker-ml-g4dn-xlarge-for-endpoint-usage"]
    assert by_name["quotaCode"].startswith("L-") and by_name["value"] == 4.0
    document = plan.to_json()
    assert document["outputs"]["quotaRequests"] == {GPU_NODES: 44.0, SAGEMAKER_G4DN: 4.0}
    result = quota_stage.run(document)
    # 4 endpoint instances are below the endpoint's peak (its ceiling plus the update batch).
    assert result.failed and any(SAGEMAKER_G4DN in line and "below the stack's peak" in line for line in result.lines)
    assert not policy_stage.run(document).failed
