"""IAM documents: built locally, and never granting everything on everything."""

from __future__ import annotations

import json

from components.platform.iam import allow, policy_document, service_assume_role_policy, wildcard_grants


def test_wildcard_grants_finds_star_and_whole_services_on_every_resource() -> None:
    document = policy_document(
        [
            allow(["s3:*"], "*", Sid="WholeService"),
            allow(["*"], ["*"], Sid="Everything"),
            allow(["s3:GetObject"], "*", Sid="OneActionEverywhere"),
            allow(["s3:*"], "arn:aws:s3:::bucket/*", Sid="WholeServiceOneBucket"),
            {"Sid": "DenyIsFine", "Effect": "Deny", "Action": "*", "Resource": "*"},
        ]
    )
    assert [s["Sid"] for s in wildcard_grants(document)] == ["WholeService", "Everything"]
    assert wildcard_grants(json.loads(document)) == wildcard_grants(document)


def test_service_trust_is_pinned_to_the_account() -> None:
    (statement,) = json.loads(service_assume_role_policy("vpc-flow-logs.amazonaws.com", source_account="111122223333"))["Statement"]
    assert statement["Principal"] == {"Service": "vpc-flow-logs.amazonaws.com"}
    assert statement["Condition"] == {"StringEquals": {"aws:SourceAccount": "111122223333"}}


def test_every_iam_document_in_both_stacks_is_free_of_wildcard_grants(production, staging) -> None:  # type: ignore[no-untyped-def]
    for plan in (production, staging):
        for r in plan.resources:
            if r.type in ("aws:iam/rolePolicy:RolePolicy", "aws:iam/policy:Policy"):
                assert wildcard_grants(r.inputs["policy"]) == [], r.urn
