"""The DR layer in both stacks: vaults and keys in their own Regions, the lock, the plan, what it
selects, the role, and the stores replicated to us-west-2."""

from __future__ import annotations

import json

import pytest

from preflight.harness import Plan, Resource

VAULT = "aws:backup/vault:Vault"
LOCK = "aws:backup/vaultLockConfiguration:VaultLockConfiguration"
PLAN = "aws:backup/plan:Plan"
SELECTION = "aws:backup/selection:Selection"
KEY = "aws:kms/key:Key"
PROVIDER = "pulumi:providers:aws"
RDS_REPLICATION = "aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication"
EFS_REPLICATION = "aws:efs/replicationConfiguration:ReplicationConfiguration"


def _region_of(plan: Plan, resource: Resource) -> str:
    """The Region a resource is created in: its provider's."""
    provider_urn = resource.provider.rsplit("::", 1)[0]
    return str(plan.by_urn(provider_urn).inputs["region"])


def _vaults(plan: Plan) -> dict[str, Resource]:
    return {v.inputs["name"].rsplit("-", 1)[-1]: v for v in plan.of_type(VAULT)}


def test_the_dr_provider_is_us_west_2_with_the_stacks_default_tags(plan: Plan) -> None:
    providers = {p.inputs["region"]: p for p in plan.of_type(PROVIDER)}
    assert set(providers) == {"us-east-1", "us-west-2"}
    assert providers["us-west-2"].name == f"betterprompts-{plan.stack}-aws-us-west-2"
    assert json.loads(providers["us-west-2"].inputs["defaultTags"]) == json.loads(providers["us-east-1"].inputs["defaultTags"])


def test_a_vault_per_region_each_under_its_own_regions_key(plan: Plan) -> None:
    vaults = _vaults(plan)
    assert set(vaults) == {"primary", "dr"}
    for role, region in (("primary", "us-east-1"), ("dr", "us-west-2")):
        vault = vaults[role]
        assert vault.inputs["name"] == f"betterprompts-{plan.stack}-backup-{role}"
        assert _region_of(plan, vault) == region
        key_arn = vault.inputs["kmsKeyArn"]
        assert key_arn.startswith(f"arn:aws:kms:{region}:123456789012:key/")
        [key] = [k for k in plan.of_type(KEY) if k.urn in vault.property_dependencies["kmsKeyArn"]]
        assert _region_of(plan, key) == region and key.inputs["enableKeyRotation"] is True
        statements = {s["Sid"]: s for s in json.loads(key.inputs["policy"])["Statement"]}
        assert statements["BackupRoleUsesThroughBackupAndRds"]["Condition"]["StringEquals"]["kms:ViaService"] == [
            f"backup.{region}.amazonaws.com",
            f"rds.{region}.amazonaws.com",
        ]
        assert statements["BackupRoleUsesThroughBackupAndRds"]["Principal"]["AWS"].startswith(
            f"arn:aws:iam::123456789012:role/betterprompts-{plan.stack}-backup-role"
        )


def test_production_locks_both_vaults_in_compliance_mode_and_protects_them(production: Plan) -> None:
    locks = production.of_type(LOCK)
    assert len(locks) == 2
    for lock in locks:
        assert (lock.inputs["minRetentionDays"], lock.inputs["maxRetentionDays"], lock.inputs["changeableForDays"]) == (7, 35, 3)
        assert lock.protect
    for vault in production.of_type(VAULT):
        assert vault.protect and vault.inputs["forceDestroy"] is False


def test_staging_has_no_lock_and_destroyable_vaults(staging: Plan) -> None:
    assert staging.of_type(LOCK) == []
    assert all(v.inputs["forceDestroy"] is True and not v.protect for v in staging.of_type(VAULT))


@pytest.mark.parametrize(("stack", "days"), [("production", 30), ("staging", 7)])
def test_the_plan_snapshots_daily_and_copies_to_the_dr_vault(stack: str, days: int, request: pytest.FixtureRequest) -> None:
    plan: Plan = request.getfixturevalue(stack)
    [backup_plan] = plan.of_type(PLAN)
    [rule] = backup_plan.inputs["rules"]
    assert rule["schedule"] == "cron(0 5 * * ? *)"
    assert rule["targetVaultName"] == f"betterprompts-{stack}-backup-primary"
    assert rule["lifecycle"] == {"deleteAfter": days}
    assert (rule["startWindow"], rule["completionWindow"]) == (60, 1440)
    [copy] = rule["copyActions"]
    assert copy["destinationVaultArn"] == f"arn:aws:backup:us-west-2:123456789012:backup-vault:betterprompts-{stack}-backup-dr"
    assert copy["lifecycle"] == {"deleteAfter": days}


def test_selections_take_the_primary_database_and_the_file_system_by_tag(plan: Plan) -> None:
    selections = {s.inputs["name"].rsplit("-", 1)[-1]: s for s in plan.of_type(SELECTION)}
    assert set(selections) == {"database", "efs"}
    database = selections["database"]
    assert database.inputs["resources"] == ["arn:aws:rds:*:*:db:*"]
    [conditions] = database.inputs["conditions"]
    assert {c["key"]: c["value"] for c in conditions["stringEquals"]} == {
        "aws:ResourceTag/Component": "database",
        "aws:ResourceTag/Environment": plan.stack,
        "aws:ResourceTag/Project": "betterprompts",
        "aws:ResourceTag/Role": "primary",
    }
    # The tags the selection asks for are the primary's own (and the provider's).
    [primary] = [r for r in plan.of_type("aws:rds/instance:Instance") if r.inputs["tags"].get("Role") == "primary"]
    assert primary.inputs["tags"]["Component"] == "database"
    [efs] = plan.of_type("aws:efs/fileSystem:FileSystem")
    assert efs.inputs["tags"]["Component"] == "efs"
    role_urn = selections["efs"].property_dependencies["iamRoleArn"][0]
    role = plan.by_urn(role_urn)
    trust = json.loads(role.inputs["assumeRolePolicy"])["Statement"][0]
    assert trust["Principal"] == {"Service": "backup.amazonaws.com"}
    assert trust["Condition"] == {"StringEquals": {"aws:SourceAccount": "123456789012"}}
    attached = sorted(a.inputs["policyArn"] for a in plan.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment") if a.parent == role.urn)
    assert attached == [
        "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup",
        "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores",
    ]


def test_production_replicates_the_database_backups_and_efs_to_us_west_2(production: Plan) -> None:
    [backups] = production.of_type(RDS_REPLICATION)
    assert _region_of(production, backups) == "us-west-2"
    assert backups.inputs["sourceDbInstanceArn"] == "arn:aws:rds:us-east-1:123456789012:db:betterprompts-production-database"
    assert backups.inputs["kmsKeyId"].startswith("arn:aws:kms:us-west-2:")
    assert backups.inputs["retentionPeriod"] == 7
    [efs] = production.of_type(EFS_REPLICATION)
    assert _region_of(production, efs) == "us-east-1"  # configured on the source side
    assert efs.inputs["destination"]["region"] == "us-west-2"
    assert efs.inputs["destination"]["kmsKeyId"].startswith("arn:aws:kms:us-west-2:")
    dr_keys = [k for k in production.of_type(KEY) if k.name.startswith("betterprompts-production-dr-")]
    # The replicated images' key is ImageReplication's (tests/dr/test_images.py).
    assert sorted(k.name for k in dr_keys) == [
        "betterprompts-production-dr-data-key",
        "betterprompts-production-dr-images-key",
        "betterprompts-production-dr-storage-key",
    ]
    assert all(k.protect and _region_of(production, k) == "us-west-2" for k in dr_keys)


def test_staging_replicates_nothing(staging: Plan) -> None:
    assert staging.of_type(RDS_REPLICATION) == [] and staging.of_type(EFS_REPLICATION) == []


def test_recovery_points_are_exported(production: Plan) -> None:
    assert production.outputs["recoveryPoints"]["efs"]["minutes"] == 15
    assert production.outputs["drRegion"] == "us-west-2"
