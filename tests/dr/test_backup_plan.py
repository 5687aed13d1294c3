"""The pure recovery-point model: schedules, snapshot counts, lock rules, key statements, selections."""

from __future__ import annotations

import json

import pytest

from components.dr.backup_plan import (
    LockMode,
    VaultLock,
    backup_key_statements,
    lock_problem,
    retained_snapshots,
    schedule_expression,
    selection_conditions,
    selections,
    store_rpos,
)
from components.platform import account_key_policy


@pytest.mark.parametrize(
    ("hours", "start", "expression"),
    [(24, 5, "cron(0 5 * * ? *)"), (1, 5, "cron(0 0/1 * * ? *)"), (6, 5, "cron(0 5/6 * * ? *)"), (12, 14, "cron(0 2/12 * * ? *)")],
)
def test_schedules_are_aws_backup_crons_in_utc(hours: int, start: int, expression: str) -> None:
    assert schedule_expression(hours, start) == expression


@pytest.mark.parametrize(("hours", "start"), [(5, 0), (0, 0), (24, 24)])
def test_impossible_schedules_are_refused(hours: int, start: int) -> None:
    with pytest.raises(ValueError):
        schedule_expression(hours, start)


def test_retained_snapshots_count_every_run_of_the_retention() -> None:
    assert retained_snapshots(24, 30) == 30
    assert retained_snapshots(1, 30) == 720
    assert retained_snapshots(8, 30) == 90


def test_lock_rules() -> None:
    compliance = VaultLock(LockMode.COMPLIANCE, 7, 35, 3)
    assert lock_problem(compliance, 30) is None
    assert "within the lock's [7, 35]" in (lock_problem(compliance, 36) or "")
    assert "72-hour cooling-off" in (lock_problem(VaultLock(LockMode.COMPLIANCE, 7, 35, 2), 30) or "")
    assert lock_problem(VaultLock(LockMode.GOVERNANCE, 7, 35, 0), 30) is None
    assert lock_problem(VaultLock(LockMode.NONE, 0, 0, 0), 3000) is None


def test_replication_beats_any_snapshot_schedule() -> None:
    rpos = {r.store: r for r in store_rpos(frequency_hours=1, copy_to_dr_region=True, database_replication=True, efs_replication=True)}
    assert (rpos["database"].minutes, rpos["efs"].minutes) == (10, 15)
    snapshot = {r.store: r for r in store_rpos(frequency_hours=1, copy_to_dr_region=True, database_replication=False, efs_replication=False)}
    assert snapshot["efs"].minutes == 60 and snapshot["efs"].key == "backup.frequencyHours"


def test_selections_pick_primaries_and_file_systems_of_this_stack_by_tag() -> None:
    specs = {s.key: s for s in selections(project="betterprompts", environment="production")}
    assert specs["database"].arn_pattern == "arn:aws:rds:*:*:db:*"
    assert specs["database"].tags == {"Project": "betterprompts", "Environment": "production", "Component": "database", "Role": "primary"}
    assert specs["efs"].arn_pattern == "arn:aws:elasticfilesystem:*:*:file-system/*"
    assert selection_conditions({"Role": "primary", "Component": "database"}) == [
        {"key": "aws:ResourceTag/Component", "value": "database"},
        {"key": "aws:ResourceTag/Role", "value": "primary"},
    ]


def test_vault_keys_admit_the_backup_role_through_backup_and_rds_only() -> None:
    role = "arn:aws:iam::123456789012:role/betterprompts-production-backup-role-abc1234"
    document = json.loads(
        account_key_policy(account_id="123456789012", statements=backup_key_statements(role, region="us-west-2", account_id="123456789012"))
    )
    uses, grants = document["Statement"][1:]
    assert uses["Principal"] == {"AWS": role} and grants["Principal"] == {"AWS": role}
    assert uses["Condition"]["StringEquals"]["kms:ViaService"] == ["backup.us-west-2.amazonaws.com", "rds.us-west-2.amazonaws.com"]
    assert grants["Condition"] == {"Bool": {"kms:GrantIsForAWSResource": "true"}}
    assert document["Statement"][0]["Principal"] == {"AWS": "arn:aws:iam::123456789012:root"}
