"""PgvectorExtension: the in-VPC Job that enables pgvector, built alone under the mock runtime."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pulumi
import pulumi_kubernetes as k8s
import kubernetes_validate
import pytest

from components.data.pgvector import PgvectorExtension, PgvectorExtensionArgs
from components.data.pgvector_plan import (
    AWS_CLI_IMAGE,
    PGVECTOR_STATEMENT,
    PSQL_IMAGE,
    is_idempotent,
    job_name,
    run_statement_script,
    secret_reader_policy,
)
from preflight.harness import Resource
from preflight.monitor import run_function

ADDRESS = "bp-db.c0abc.us-east-1.rds.amazonaws.com"
SECRET_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!db-1234-AbCdEf"
KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/0000-1111"
OIDC_ARN = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC123"
ISSUER = "oidc.eks.us-east-1.amazonaws.com/id/ABC123"
# A syntactically complete kubeconfig for a cluster that does not exist: the provider is real, nothing connects.
KUBECONFIG = json.dumps(
    {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": "c", "cluster": {"server": "https://127.0.0.1:6443"}}],
        "users": [{"name": "u", "user": {"token": "dummy"}}],
        "contexts": [{"name": "c", "context": {"cluster": "c", "user": "u"}}],
        "current-context": "c",
    }
)


def build(**changes: Any) -> list[Resource]:
    def program() -> None:
        provider = k8s.Provider("cluster", kubeconfig=KUBECONFIG)
        args = PgvectorExtensionArgs(
            region="us-east-1",
            db_address=ADDRESS,
            database_name="betterprompts",
            master_username="bp_admin",
            master_secret_arn=SECRET_ARN,
            kms_key_arn=KEY_ARN,
            k8s_provider=provider,
            oidc_provider_arn=OIDC_ARN,
            oidc_issuer=ISSUER,
            namespace="betterprompts",
        )
        PgvectorExtension("pgvector", replace(args, **changes), pulumi.ResourceOptions())

    resources, _ = run_function(program)
    return resources


def of_type(resources: list[Resource], token: str) -> Resource:
    (found,) = [r for r in resources if r.type == token]
    return found


@pytest.fixture(scope="module")
def resources() -> list[Resource]:
    return build()


def test_job_runs_the_statement_over_tls_on_the_application_pool(resources: list[Resource]) -> None:
    job = of_type(resources, "kubernetes:batch/v1:Job")
    provider = of_type(resources, "pulumi:providers:kubernetes")
    assert job.provider.startswith(provider.urn)
    meta, spec = job.inputs["metadata"], job.inputs["spec"]
    assert meta["name"] == job_name(PGVECTOR_STATEMENT, f"{ADDRESS}:5432/betterprompts")
    assert meta["namespace"] == "betterprompts"
    assert spec["backoffLimit"] == 4
    assert spec["ttlSecondsAfterFinished"] == 3600
    pod = spec["template"]["spec"]
    assert pod["restartPolicy"] == "Never"
    assert pod["serviceAccountName"] == "pgvector"
    assert pod["nodeSelector"] == {"betterprompts.io/node-pool": "application"}
    assert pod["securityContext"]["runAsNonRoot"] is True
    (psql,) = pod["containers"]
    assert psql["image"] == PSQL_IMAGE
    env = {e["name"]: e["value"] for e in psql["env"]}
    assert env == {
        "PGHOST": ADDRESS,
        "PGPORT": "5432",
        "PGDATABASE": "betterprompts",
        "PGUSER": "bp_admin",
        "PGSSLMODE": "require",
        "PGCONNECT_TIMEOUT": "15",
        "STATEMENT": "CREATE EXTENSION IF NOT EXISTS vector;",
    }
    assert psql["command"] == ["/bin/sh", "-c", run_statement_script()]
    (fetch,) = pod["initContainers"]
    assert fetch["image"] == AWS_CLI_IMAGE
    assert {e["name"]: e["value"] for e in fetch["env"]}["MASTER_SECRET_ARN"] == SECRET_ARN
    for container in (psql, fetch):
        assert container["securityContext"] == {
            "allowPrivilegeEscalation": False,
            "readOnlyRootFilesystem": True,
            "capabilities": {"drop": ["ALL"]},
        }
    volumes = {v["name"]: v for v in pod["volumes"]}
    assert volumes["secret"]["emptyDir"] == {"medium": "Memory", "sizeLimit": "1Mi"}


@pytest.mark.parametrize(
    ("token", "api_version", "kind"),
    [("kubernetes:batch/v1:Job", "batch/v1", "Job"), ("kubernetes:core/v1:ServiceAccount", "v1", "ServiceAccount")],
)
def test_manifests_validate_against_the_kubernetes_schema(resources: list[Resource], token: str, api_version: str, kind: str) -> None:
    inputs = {k: v for k, v in of_type(resources, token).inputs.items() if k not in ("apiVersion", "kind")}
    kubernetes_validate.validate({"apiVersion": api_version, "kind": kind, **inputs}, "1.31", strict=True)
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate({"apiVersion": api_version, "kind": kind, **inputs, "spek": {}}, "1.31", strict=True)


def test_no_password_reaches_the_spec(resources: list[Resource]) -> None:
    job = of_type(resources, "kubernetes:batch/v1:Job")
    text = json.dumps(job.inputs)
    assert "PGPASSWORD" not in text
    assert "secretKeyRef" not in text
    # The password is read from a file inside the pod and written only to the pgpass file.
    script = run_statement_script()
    assert "PGPASSFILE=/run/pg/pgpass" in script
    assert "rm -f /run/pg/master.json" in script
    assert "--set ON_ERROR_STOP=1" in script


def test_irsa_role_reads_only_that_secret(resources: list[Resource]) -> None:
    role = of_type(resources, "aws:iam/role:Role")
    trust = json.loads(role.inputs["assumeRolePolicy"])
    assert trust["Statement"][0]["Principal"] == {"Federated": OIDC_ARN}
    assert trust["Statement"][0]["Condition"]["StringEquals"] == {
        f"{ISSUER}:sub": "system:serviceaccount:betterprompts:pgvector",
        f"{ISSUER}:aud": "sts.amazonaws.com",
    }
    policy = of_type(resources, "aws:iam/rolePolicy:RolePolicy")
    assert policy.inputs["policy"] == secret_reader_policy(secret_arn=SECRET_ARN, kms_key_arn=KEY_ARN, region="us-east-1")
    statements = json.loads(policy.inputs["policy"])["Statement"]
    assert statements[0]["Action"] == ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"]
    assert statements[0]["Resource"] == [SECRET_ARN]
    assert statements[1]["Condition"] == {"StringEquals": {"kms:ViaService": "secretsmanager.us-east-1.amazonaws.com"}}
    account = of_type(resources, "kubernetes:core/v1:ServiceAccount")
    annotation = account.inputs["metadata"]["annotations"]["eks.amazonaws.com/role-arn"]
    assert annotation.startswith("arn:aws:iam::123456789012:role/pgvector-")
    assert account.inputs["automountServiceAccountToken"] is False
    job = of_type(resources, "kubernetes:batch/v1:Job")
    assert account.urn in job.dependencies and policy.urn in job.dependencies


def test_job_name_is_stable_and_changes_with_what_it_runs() -> None:
    target = f"{ADDRESS}:5432/betterprompts"
    name = job_name(PGVECTOR_STATEMENT, target)
    assert name == job_name(PGVECTOR_STATEMENT, target)
    assert name.startswith("pgvector-") and len(name) == len("pgvector-") + 12
    assert job_name("CREATE EXTENSION IF NOT EXISTS vector WITH VERSION '0.8.0';", target) != name
    assert job_name(PGVECTOR_STATEMENT, f"{ADDRESS}:5432/other") != name
    # The same inputs register the same Job: a second `pulumi up` does not re-run it.
    first = of_type(build(), "kubernetes:batch/v1:Job").inputs["metadata"]["name"]
    second = of_type(build(), "kubernetes:batch/v1:Job").inputs["metadata"]["name"]
    assert first == second == name


@pytest.mark.parametrize(
    ("statement", "ok"),
    [
        ("CREATE EXTENSION IF NOT EXISTS vector;", True),
        ("create extension if not exists vector with schema public;", True),
        ("CREATE EXTENSION vector;", False),
        ("CREATE EXTENSION IF NOT EXISTS vector; DROP TABLE prompts;", False),
        ("DROP EXTENSION vector;", False),
    ],
)
def test_only_idempotent_statements(statement: str, ok: bool) -> None:
    assert is_idempotent(statement) is ok


def test_a_non_idempotent_statement_is_refused_before_any_child() -> None:
    with pytest.raises(ValueError, match="idempotent CREATE EXTENSION IF NOT EXISTS"):
        PgvectorExtension(
            "pgvector",
            PgvectorExtensionArgs(
                region="us-east-1",
                db_address=ADDRESS,
                database_name="betterprompts",
                master_username="bp_admin",
                master_secret_arn=SECRET_ARN,
                kms_key_arn=KEY_ARN,
                k8s_provider=None,  # type: ignore[arg-type]
                oidc_provider_arn=OIDC_ARN,
                oidc_issuer=ISSUER,
                statement="CREATE EXTENSION vector;",
            ),
        )
