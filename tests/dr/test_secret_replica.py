"""The database master credential's copy in the DR Region (Secrets Manager replication, issue 16)."""

from __future__ import annotations

import copy
from dataclasses import replace

import pulumi
import pytest

from components.data.master_secret import MasterSecret
from components.data.secret_arns import replica_secret_arn
from components.data.secrets import SecretReplicaTarget, encrypted_secret
from components.platform import ComponentTags
from preflight import plan_diff
from preflight.harness import Plan, Resource
from preflight.monitor import run_function
from preflight.policy_stage import evaluate
from tests.data.test_master_secret import _secret_args

SECRET = "aws:secretsmanager/secret:Secret"
ACCOUNT = "123456789012"


def _secrets(plan: Plan) -> dict[str, Resource]:
    return {r.name: r for r in plan.of_type(SECRET)}


def test_production_replicates_the_master_secret_to_us_west_2_under_the_dr_data_key(production: Plan) -> None:
    secret = _secrets(production)["betterprompts-production-database-master"]
    assert secret.inputs["replicas"] == [{"region": "us-west-2", "kmsKeyId": production.outputs["drKeyArns"]["data"]}]
    assert production.outputs["drKeyArns"]["data"].startswith(f"arn:aws:kms:us-west-2:{ACCOUNT}:key/")
    # The primary copy stays under the stack's own data key in us-east-1.
    assert secret.inputs["kmsKeyId"] == production.outputs["kmsKeyArns"]["data"]


def test_only_the_master_secret_replicates(production: Plan, staging: Plan) -> None:
    for plan in (production, staging):
        replicated = sorted(name for name, r in _secrets(plan).items() if r.inputs.get("replicas"))
        assert replicated == (["betterprompts-production-database-master"] if plan is production else [])
    # The cache's AUTH secret, made by the same helper, is never copied (the pilot light runs its own cache).
    cache_secrets = [r for name, r in _secrets(production).items() if "-cache" in name]
    assert cache_secrets and all("replicas" not in r.inputs for r in cache_secrets)


def test_adding_the_replica_updates_the_existing_secret_in_place(production: Plan) -> None:
    # The plan before replication: the same secret without replicas (and without the DR key among its dependencies).
    before = copy.deepcopy(production.to_json())
    secret = next(r for r in before["resources"] if r["type"] == SECRET and r["name"] == "betterprompts-production-database-master")
    del secret["inputs"]["replicas"]
    changes = plan_diff.diff(before, production.to_json())
    # The provider's Update calls ReplicateSecretToRegions; `replica` is not ForceNew (only `name` is).
    assert [(c.kind, c.urn, c.forcing) for c in changes.resources] == [("changed", secret["urn"], ())]


def test_production_exports_the_replicas_arn_for_the_dr_stack(production: Plan, staging: Plan) -> None:
    primary = production.outputs["databaseMasterSecretArn"]
    replica = production.outputs["databaseMasterSecretReplicaArn"]
    assert replica == replica_secret_arn(primary, "us-west-2")
    assert replica.startswith(f"arn:aws:secretsmanager:us-west-2:{ACCOUNT}:secret:betterprompts-production-database-master-")
    assert "databaseMasterSecretReplicaArn" not in staging.outputs


def test_the_pack_refuses_a_replica_under_the_aws_managed_key(production: Plan) -> None:
    def verdicts(kms_key_id: object) -> list[str]:
        document = copy.deepcopy(production.to_json())
        secret = next(r for r in document["resources"] if r["type"] == SECRET and r["name"] == "betterprompts-production-database-master")
        if kms_key_id is None:
            del secret["inputs"]["replicas"][0]["kmsKeyId"]
        else:
            secret["inputs"]["replicas"][0]["kmsKeyId"] = kms_key_id
        return [v.message for v in evaluate(document) if v.policy == "secret-encrypted-with-cmk"]

    assert verdicts(production.outputs["drKeyArns"]["data"]) == []
    (missing,) = verdicts(None)
    assert "replicas[us-west-2].kmsKeyId is not set" in missing and "customer-managed key in us-west-2" in missing
    (managed,) = verdicts("alias/aws/secretsmanager")
    assert "replicas[us-west-2].kmsKeyId" in managed


# --- the component and the pure ARN arithmetic --------------------------------------------


def test_the_component_replicates_only_when_asked_and_refuses_its_own_region() -> None:
    key = "arn:aws:kms:us-west-2:123456789012:key/dr-data"
    resources, _ = run_function(lambda: MasterSecret("m", replace(_secret_args(), replica=SecretReplicaTarget("us-west-2", key))))
    (secret,) = [r for r in resources if r.type == SECRET]
    assert secret.inputs["replicas"] == [{"region": "us-west-2", "kmsKeyId": key}]
    resources, _ = run_function(lambda: MasterSecret("m", _secret_args()))
    (secret,) = [r for r in resources if r.type == SECRET]
    assert "replicas" not in secret.inputs
    with pytest.raises(ValueError, match="another Region"):
        run_function(lambda: MasterSecret("m", replace(_secret_args(), replica=SecretReplicaTarget("us-east-1", key))))


def test_a_replicas_arn_differs_from_its_primarys_only_in_the_region() -> None:
    primary = "arn:aws:secretsmanager:us-east-1:123456789012:secret:betterprompts-production-database-master-a1B2c3"
    assert replica_secret_arn(primary, "us-west-2") == (
        "arn:aws:secretsmanager:us-west-2:123456789012:secret:betterprompts-production-database-master-a1B2c3"
    )
    gov = "arn:aws-us-gov:secretsmanager:us-gov-west-1:123456789012:secret:db-Ab12Cd"
    assert replica_secret_arn(gov, "us-gov-east-1") == "arn:aws-us-gov:secretsmanager:us-gov-east-1:123456789012:secret:db-Ab12Cd"


@pytest.mark.parametrize(
    ("arn", "region", "message"),
    [
        ("arn:aws:kms:us-east-1:123456789012:key/abc", "us-west-2", "not a Secrets Manager secret ARN"),
        ("betterprompts-production-database-master", "us-west-2", "not a Secrets Manager secret ARN"),
        # No random suffix: a name, not the ARN Secrets Manager returned.
        ("arn:aws:secretsmanager:us-east-1:123456789012:secret:db", "us-west-2", "not a Secrets Manager secret ARN"),
        ("arn:aws:secretsmanager:us-east-1:123456789012:secret:db-a1b2c3", "US West 2", "not an AWS Region code"),
        ("arn:aws:secretsmanager:us-east-1:123456789012:secret:db-a1b2c3", "us-east-1", "another Region"),
    ],
)
def test_bad_arns_and_regions_are_refused(arn: str, region: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        replica_secret_arn(arn, region)


def test_one_replica_a_region() -> None:
    twice = [SecretReplicaTarget("us-west-2", "k1"), SecretReplicaTarget("us-west-2", "k2")]

    def program() -> None:
        parent = pulumi.ComponentResource("test:index:Parent", "p")
        encrypted_secret("s", description="d", kms_key_arn="k", protect=False, tags=ComponentTags("t"), parent=parent, replicas=twice)

    with pytest.raises(ValueError, match="one replica a Region"):
        run_function(program)
