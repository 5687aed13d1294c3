"""Pure parts of :mod:`components.data.pgvector`: the statement, the Job's name, its scripts, its IAM policy.

The extension is enabled by a Kubernetes Job that runs inside the VPC. It must be safe to
run any number of times (a replaced Job, a ``pulumi up --refresh`` after the TTL
controller removed the old one), so only idempotent statements are accepted, and its name
is a hash of what it does: a changed statement or database is a new Job that runs again.
"""

from __future__ import annotations

import hashlib
import re

from ..platform import allow, policy_document

PGVECTOR_STATEMENT = "CREATE EXTENSION IF NOT EXISTS vector;"
# Official images, pinned, from ECR Public (no Docker Hub pull limits on the nodes).
# The psql client matches the server's major (docker-library/postgres versions.json: 16.13 is
# the newest 16.x); the image also carries perl (JSON::PP) to read the secret. aws-cli 2.36.7
# is the newest aws/aws-cli release tag (2026-07-23).
PSQL_IMAGE = "public.ecr.aws/docker/library/postgres:16.13-bookworm"
AWS_CLI_IMAGE = "public.ecr.aws/aws-cli/aws-cli:2.36.7"
# The postgres image's own unprivileged user.
RUN_AS_USER = 999
SECRET_DIR = "/run/pg"
JOB_NAME_PREFIX = "pgvector-"

# Statements that leave the database as they found it when run twice.
_IDEMPOTENT = re.compile(r"^\s*CREATE\s+EXTENSION\s+IF\s+NOT\s+EXISTS\s+\"?[a-z_][a-z0-9_]*\"?(\s+[^;]*)?;\s*$", re.IGNORECASE)


def is_idempotent(statement: str) -> bool:
    """Only ``CREATE EXTENSION IF NOT EXISTS <name> ...;`` (one statement) may be run by the Job."""
    return bool(_IDEMPOTENT.match(statement)) and statement.count(";") == 1


def job_name(statement: str, target: str) -> str:
    """``pgvector-<12 hex>`` from the statement and ``host:port/database``: a change means a new Job."""
    digest = hashlib.sha256(f"{target}\n{statement.strip()}".encode()).hexdigest()[:12]
    return f"{JOB_NAME_PREFIX}{digest}"


def fetch_secret_script() -> str:
    """Init container (aws-cli): copy the RDS-managed secret into the memory-backed volume, owner-only."""
    return (
        "set -eu\n"
        "umask 077\n"
        'aws secretsmanager get-secret-value --secret-id "$MASTER_SECRET_ARN" '
        f"--query SecretString --output text > {SECRET_DIR}/master.json\n"
    )


def run_statement_script() -> str:
    """Main container (psql): turn the secret into a pgpass file, drop the JSON, run the statement over TLS.

    The password never appears in an argument, an environment variable or a log line:
    perl reads it from the file and writes ``*:*:*:*:<password>`` (``:`` and ``\\`` escaped
    as pgpass requires); psql reads it through ``PGPASSFILE``.
    """
    return (
        "set -eu\n"
        "umask 077\n"
        "perl -MJSON::PP -e '"
        "local $/; my $s = JSON::PP::decode_json(<STDIN>); "
        "(my $p = $s->{password}) =~ s/([\\\\:])/\\\\$1/g; "
        'print "*:*:*:*:$p\\n";'
        f"' < {SECRET_DIR}/master.json > {SECRET_DIR}/pgpass\n"
        f"rm -f {SECRET_DIR}/master.json\n"
        f"export PGPASSFILE={SECRET_DIR}/pgpass\n"
        'exec psql --no-psqlrc --set ON_ERROR_STOP=1 --command "$STATEMENT"\n'
    )


def secret_reader_policy(*, secret_arn: str, kms_key_arn: str, region: str) -> str:
    """Read exactly one secret, and decrypt with its key only through Secrets Manager."""
    return policy_document(
        [
            allow(["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"], [secret_arn], Sid="ReadMasterSecret"),
            allow(
                ["kms:Decrypt"],
                [kms_key_arn],
                Sid="DecryptThroughSecretsManager",
                Condition={"StringEquals": {"kms:ViaService": f"secretsmanager.{region}.amazonaws.com"}},
            ),
        ]
    )
