"""Pure parts of :mod:`components.data.master_secret`: the secret's JSON, the rotation application.

The master credential lives in a stack-owned Secrets Manager secret (not RDS-managed, which
rules out read replicas and Blue/Green: see ``policies/rds_credentials.py``) and is rotated by
the function AWS publishes for PostgreSQL in the Serverless Application Repository.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

# RDS master passwords: printable ASCII without / " @ (8-128 for PostgreSQL). The initial one is
# alphanumeric, so it needs no escaping in a pgpass file or a connection string either.
INITIAL_PASSWORD_LENGTH = 40

# AWS's single-user rotation function for RDS PostgreSQL ("AWS Secrets Manager rotation function
# templates"), pinned to the version aws-cdk-lib pins for the aws partition.
ROTATION_APPLICATION_ID = "arn:aws:serverlessrepo:us-east-1:297356227824:applications/SecretsManagerRDSPostgreSQLRotationSingleUser"
ROTATION_APPLICATION_VERSION = "1.1.671"
# The template creates an IAM role and a resource policy (Secrets Manager may invoke the function).
ROTATION_CAPABILITIES = ("CAPABILITY_IAM", "CAPABILITY_RESOURCE_POLICY")
ROTATION_OUTPUT = "RotationLambdaARN"
HTTPS_PORT = 443

# Lambda function names: letters, digits, - and _, at most 64. The application's CloudFormation
# stack is named "serverlessrepo-<name>", within CloudFormation's 128.
_FUNCTION_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_STACK_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9-]{0,112}$")
MIN_ROTATION_DAYS = 1
MAX_ROTATION_DAYS = 1000


def secret_document(*, host: str, port: int, username: str, password: str, dbname: str) -> dict[str, Any]:
    """The ``SecretString`` the rotation function expects ("Amazon RDS PostgreSQL secret structure")."""
    return {"engine": "postgres", "host": host, "username": username, "password": password, "dbname": dbname, "port": port}


def rotation_function_name(name: str) -> str:
    """The rotation function's (and its application stack's) name, checked against both limits."""
    function = f"{name}-rotation"
    if not _FUNCTION_NAME.match(function) or not _STACK_NAME.match(function):
        raise ValueError(f"{function!r} is not a valid Lambda function name (letters, digits, - and _, at most 64)")
    return function


def rotation_log_group_name(function_name: str) -> str:
    """Where Lambda writes the function's logs; created first, under the logs key."""
    return f"/aws/lambda/{function_name}"


def rotation_parameters(
    *, region: str, function_name: str, subnet_ids: Sequence[str], security_group_id: str, kms_key_arn: str
) -> dict[str, str]:
    """The application's parameters, as AWS's own CDK construct passes them."""
    if not subnet_ids:
        raise ValueError("the rotation function needs at least one subnet")
    return {
        # The public endpoint, reached through the app tier's NAT (no interface endpoint needed).
        "endpoint": f"https://secretsmanager.{region}.amazonaws.com",
        "functionName": function_name,
        "vpcSubnetIds": ",".join(subnet_ids),
        "vpcSecurityGroupIds": security_group_id,
        # The secret's key: the template grants the function decrypt/generate on it.
        "kmsKeyArn": kms_key_arn,
        # excludeCharacters is left to the template's default (the provider reads back only
        # non-default parameters, so restating a default would show as a change on every preview).
    }


def rotation_egress(database_cidrs: Sequence[str], *, db_port: int) -> list[Mapping[str, Any]]:
    """The function's only connections: the database tier on its port, and Secrets Manager over HTTPS."""
    if not database_cidrs:
        raise ValueError("the rotation function needs the database tier's CIDRs")
    return [
        {"description": "PostgreSQL in the database tier", "protocol": "tcp", "from_port": db_port, "to_port": db_port, "cidr_blocks": list(database_cidrs)},
        {
            "description": "Secrets Manager's regional endpoint (through the NAT)",
            "protocol": "tcp",
            "from_port": HTTPS_PORT,
            "to_port": HTTPS_PORT,
            "cidr_blocks": ["0.0.0.0/0"],
        },
    ]
