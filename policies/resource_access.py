"""Exposure through a second resource: resource policies, ACLs, Lambda permissions and function URLs.

A bucket, key, queue, topic, secret, repository, file system, search domain, API, vault or event bus
is made public by its policy document, whether that document is an input of the resource itself or
of a separate ``*Policy`` resource; a bucket by an ACL; a function by a permission or a URL without
authentication. One policy judges all of them (Security Hub S3.2, S3.3, S3.6, KMS.5, SNS.4, SQS.3,
Lambda.1, SSM.4, OpenSearch.2/ES.2 for access policies, and the issue's "wildcard principals in
resource policies").
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pulumi_policy import ResourceValidationArgs, Severity

from . import documents
from .common import UNKNOWN, get, items, label, resource_policy

# type -> the input holding its resource policy document
POLICY_DOCUMENT_INPUTS: dict[str, str] = {
    "aws:s3/bucket:Bucket": "policy",
    "aws:s3/bucketPolicy:BucketPolicy": "policy",
    "aws:s3/accessPoint:AccessPoint": "policy",
    "aws:kms/key:Key": "policy",
    "aws:kms/keyPolicy:KeyPolicy": "policy",
    "aws:sqs/queue:Queue": "policy",
    "aws:sqs/queuePolicy:QueuePolicy": "policy",
    "aws:sns/topic:Topic": "policy",
    "aws:sns/topicPolicy:TopicPolicy": "policy",
    "aws:secretsmanager/secretPolicy:SecretPolicy": "policy",
    "aws:ecr/repositoryPolicy:RepositoryPolicy": "policy",
    "aws:efs/fileSystemPolicy:FileSystemPolicy": "policy",
    "aws:opensearch/domain:Domain": "accessPolicies",
    "aws:opensearch/domainPolicy:DomainPolicy": "accessPolicies",
    "aws:elasticsearch/domain:Domain": "accessPolicies",
    "aws:elasticsearch/domainPolicy:DomainPolicy": "accessPolicies",
    "aws:apigateway/restApi:RestApi": "policy",
    "aws:apigateway/restApiPolicy:RestApiPolicy": "policy",
    "aws:backup/vaultPolicy:VaultPolicy": "policy",
    "aws:cloudwatch/eventBusPolicy:EventBusPolicy": "policy",
}
S3_POLICY_TYPES = ("aws:s3/bucket:Bucket", "aws:s3/bucketPolicy:BucketPolicy")
BUCKET_ACLS = ("aws:s3/bucketAcl:BucketAcl", "aws:s3/bucketAclV2:BucketAclV2")
LAMBDA_PERMISSION = "aws:lambda/permission:Permission"
LAYER_PERMISSION = "aws:lambda/layerVersionPermission:LayerVersionPermission"
SSM_DOCUMENT = "aws:ssm/document:Document"

PUBLIC_CANNED_ACLS = ("public-read", "public-read-write", "authenticated-read")
PUBLIC_GRANTEE_URIS = (
    "http://acs.amazonaws.com/groups/global/AllUsers",
    "http://acs.amazonaws.com/groups/global/AuthenticatedUsers",
)
BUCKET_ADMIN_ACTIONS = frozenset(
    a.lower()
    for a in ("s3:DeleteBucketPolicy", "s3:PutBucketAcl", "s3:PutBucketPolicy", "s3:PutEncryptionConfiguration", "s3:PutObjectAcl")
)
"""What Security Hub S3.6 allows no other account: the bucket's own access and encryption settings."""
SERVICES_NEEDING_SOURCE_ACCOUNT = ("s3.amazonaws.com",)
"""Lambda.1: S3 invokes by bucket ARN, which carries no account; without SourceAccount a bucket of the
same name in another account could invoke the function."""


def _document_problems(where: str, prop: str, document: dict[str, Any], resource_type: str) -> Iterator[str]:
    for statement in documents.public_statements(document):
        yield (
            f"{where}: {prop} statement {documents.sid(statement)} allows {documents.actions(statement)} to any principal "
            "(Principal '*' with no aws:SourceAccount/SourceArn/PrincipalOrgID/PrincipalAccount/SourceVpce or kms:CallerAccount "
            "condition of fixed value). Fix: name the principals, or pin the wildcard with such a condition"
        )
    for statement, element in documents.not_element_allows(document):
        yield f"{where}: {prop} statement {documents.sid(statement)} allows through {element}, which grants everything not listed. Fix: name what is allowed"
    if resource_type in S3_POLICY_TYPES:
        for statement in documents.allows(document):
            if not documents.principal_values(statement, "AWS"):
                continue
            granted = sorted(
                {a for pattern in documents.actions(statement) for a in documents.action_matches(pattern, BUCKET_ADMIN_ACTIONS)}
            )
            if granted:
                yield (
                    f"{where}: {prop} statement {documents.sid(statement)} lets {documents.principal_values(statement, 'AWS')} "
                    f"change the bucket's own access or encryption ({granted}). Fix: grant object-level actions only"
                )


def _policy_document(args: ResourceValidationArgs) -> Iterator[str]:
    where = label(args.resource_type, args.name)
    prop = POLICY_DOCUMENT_INPUTS[args.resource_type]
    document = get(args.props, prop)
    if document is None or document is UNKNOWN or document == "":
        return
    parsed = documents.parse(document)
    if parsed is None:
        if isinstance(document, str):
            yield f"{where}: {prop} is not a JSON policy document. Fix: build it with components.platform.policy_document"
        return
    yield from _document_problems(where, prop, parsed, args.resource_type)


def _bucket_acl(where: str, props: Any) -> Iterator[str]:
    acl = get(props, "acl")
    if isinstance(acl, str) and acl in PUBLIC_CANNED_ACLS:
        yield f"{where}: acl {acl!r} makes the bucket's objects readable by everyone. Fix: no ACL (ownership BucketOwnerEnforced) and a bucket policy"
    for index, grant in enumerate(items(get(props, "accessControlPolicy", "grants"))):
        uri = get(grant, "grantee", "uri")
        if uri in PUBLIC_GRANTEE_URIS:
            yield f"{where}: accessControlPolicy.grants[{index}] grants {get(grant, 'permission')} to {uri}. Fix: remove the grant"
    for index, grant in enumerate(items(get(props, "grants"))):
        uri = get(grant, "uri")
        if uri in PUBLIC_GRANTEE_URIS:
            yield f"{where}: grants[{index}] grants {get(grant, 'permissions')} to {uri}. Fix: remove the grant"


def _lambda_permission(where: str, props: Any) -> Iterator[str]:
    principal = get(props, "principal")
    if principal is UNKNOWN or not isinstance(principal, str):
        return
    pinned = [k for k in ("sourceAccount", "sourceArn", "principalOrgId") if get(props, k) not in (None, "")]
    if principal == "*" and not pinned:
        yield (
            f"{where}: principal '*' with no sourceArn, sourceAccount or principalOrgId lets anyone invoke the function. "
            "Fix: name the invoking service and its source_arn"
        )
    elif principal in SERVICES_NEEDING_SOURCE_ACCOUNT and get(props, "sourceAccount") in (None, ""):
        yield f"{where}: principal {principal} without sourceAccount (a same-named bucket in another account could invoke). Fix: set source_account"


def _check(args: ResourceValidationArgs) -> Iterator[str]:
    where, props = label(args.resource_type, args.name), args.props
    if args.resource_type in POLICY_DOCUMENT_INPUTS:
        yield from _policy_document(args)
    if args.resource_type in ("aws:s3/bucket:Bucket", *BUCKET_ACLS):
        yield from _bucket_acl(where, props)
    if args.resource_type == LAMBDA_PERMISSION:
        yield from _lambda_permission(where, props)
    elif args.resource_type == LAYER_PERMISSION and get(props, "principal") == "*" and get(props, "organizationId") in (None, ""):
        yield f"{where}: principal '*' shares the layer with every AWS account. Fix: name the accounts or the organization"
    elif args.resource_type == SSM_DOCUMENT:
        permissions = get(props, "permissions")
        # A map input: its keys arrive as written (account_ids), not camelCased.
        accounts = get(permissions, "account_ids", default=get(permissions, "accountIds", default=""))
        if permissions is not UNKNOWN and "all" in str(accounts).lower().replace(" ", "").split(","):
            yield f"{where}: permissions share the document with every AWS account. Fix: name the account ids"


RESOURCE_POLICIES_NOT_PUBLIC = resource_policy(
    name="resource-policies-not-public",
    description=(
        "No resource policy (bucket, key, queue, topic, secret, repository, file system, search domain, API, vault, event bus),"
        " bucket ACL, Lambda permission, layer or SSM document admits anyone (function URLs: lambda-no-function-url-without-auth)."
    ),
    severity=Severity.CRITICAL,
    types=(*POLICY_DOCUMENT_INPUTS, *BUCKET_ACLS, LAMBDA_PERMISSION, LAYER_PERMISSION, SSM_DOCUMENT),
    check=_check,
    remediation="Name the principals (or pin '*' to this account/organization/ARN with a fixed-value condition); no public ACLs or unauthenticated URLs.",
)

POLICIES = [RESOURCE_POLICIES_NOT_PUBLIC]
