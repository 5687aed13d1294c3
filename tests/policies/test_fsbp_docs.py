"""docs/policies.md's FSBP table and the pack agree: every policy the table names exists, and every
pack policy is named in the table or in the list of policies outside FSBP."""

from __future__ import annotations

import re
from pathlib import Path

from policies.pack import ALL_POLICIES

DOC = Path(__file__).resolve().parents[2] / "docs" / "policies.md"
SECTION = DOC.read_text().split("## AWS Foundational Security Best Practices (FSBP)", 1)[1].split("\n## ", 1)[0]
ROW = re.compile(r"^\| ([A-Za-z][A-Za-z0-9]*)\.(\d+) \| (.+?) \| (.+) \|$")
NAME = re.compile(r"`([a-z0-9]+(?:-[a-z0-9]+)+)`")
ROWS = [m.groups() for m in map(ROW.match, SECTION.splitlines()) if m]
TABLE_POLICIES = {name for *_, decided in ROWS for name in NAME.findall(decided)}
OUTSIDE = SECTION.split("Pack policies outside FSBP", 1)[1].split("\n\n", 1)[0]
PACK = {p.name for p in ALL_POLICIES}
FSBP_POLICIES = TABLE_POLICIES
SERVICES = {
    "EC2", "AutoScaling", "EKS", "ECR", "RDS", "ElastiCache", "S3", "KMS", "IAM", "SecretsManager", "SSM", "SNS", "SQS", "Lambda",
    "APIGateway", "StepFunctions", "CloudFront", "WAF", "ELB", "EFS", "CloudTrail", "Config", "GuardDuty", "Backup", "Kinesis",
    "DataFirehose", "SageMaker", "DynamoDB", "OpenSearch", "ES",
}


def test_every_policy_the_table_names_exists() -> None:
    assert TABLE_POLICIES - PACK == set()


def test_every_pack_policy_is_in_the_table_or_the_list_outside_fsbp() -> None:
    assert PACK - TABLE_POLICIES - set(NAME.findall(OUTSIDE)) == set()


def test_every_row_is_decided_one_way_and_says_why() -> None:
    assert len(ROWS) > 200
    for service, number, title, decided in ROWS:
        assert service in SERVICES, service
        assert title.strip()
        kinds = [decided.startswith(p) for p in ("`", "runtime only — AWS Config/Security Hub: ", "not applicable — ", "deviation — ")]
        assert sum(kinds) == 1, (service, number, decided)
        if not decided.startswith("`"):
            assert len(decided.split("— ", 1)[1]) > 10, (service, number)


def test_each_control_once_and_every_listed_service_present() -> None:
    ids = [f"{s}.{n}" for s, n, *_ in ROWS]
    assert len(ids) == len(set(ids))
    assert {s for s, *_ in ROWS} == SERVICES
