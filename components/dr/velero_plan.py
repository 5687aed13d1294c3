"""Velero as data (seed "Disaster Recovery": "Application State: Velero for Kubernetes backups"): the pinned
chart and AWS plugin, the release's values, the IRSA role's policy and the bucket's lifecycle.

Sources:
- vmware-tanzu/helm-charts ``charts/velero`` at tag velero-12.1.0 (73466ca, 2026-06-25; Velero 1.18.1);
  values.yaml vendored under tests/vendor/charts/velero/12.1.0.
- vmware-tanzu/velero-plugin-for-aws README, "Compatibility" (plugin v1.14.x for Velero v1.18.x: the
  v1.14.0 release added the row; v1.14.4 is the newest patch, CVE fixes) and "Set permissions for
  Velero" (the published IAM policy: EC2 describe/create/tag/delete of volumes and snapshots, the
  bucket's objects, ListBucket). The plugin's CreateSnapshot sends the tags in the request
  (TagSpecifications); its restore's CreateVolume copies the snapshot's tags; Velero core tags every
  snapshot ``velero.io/backup`` and ``velero.io/pv`` (pkg/backup/item_backupper.go).
- Amazon EBS User Guide, "Requirements for Amazon EBS encryption": a caller that creates a volume from
  an encrypted snapshot needs kms:CreateGrant (for AWS resources only), Decrypt, DescribeKey,
  GenerateDataKeyWithoutPlaintext and ReEncrypt* on the key.
- Velero's object layout: ``backups/<name>/`` (one backup's resources, logs, volume-snapshot list),
  ``restores/<name>/``, ``kopia/`` (file-system backups: not used here, no node agent).
"""

from __future__ import annotations

import re
from typing import Any

from ..eks import SYSTEM
from ..platform import ChartRef, policy_document, s3_key_statement
from ..storage import LifecycleRule

VMWARE_TANZU_CHARTS = "https://vmware-tanzu.github.io/helm-charts"
VELERO = ChartRef("velero", VMWARE_TANZU_CHARTS, "12.1.0")
VELERO_VERSION = "v1.18.1"
"""The chart's appVersion (its default image tag): what the plugin's compatibility row is read for."""
AWS_PLUGIN_IMAGE = "velero/velero-plugin-for-aws:v1.14.4"
"""The AWS object-store and EBS volume-snapshotter plugin: v1.14.x is the row for Velero v1.18.x."""
SERVICE_ACCOUNT = "velero-server"
NAMESPACE = "velero"
BUCKET_KEY = "velero"
"""The bucket's key: its name (``<prefix>-velero-<account>-<region>``), its access-log prefix, its replica's key."""
PROVIDER = "aws"
RELEASE_TIMEOUT_SECONDS = 600
"""One Deployment on the system nodes and the chart's CRD-upgrade job: 10 minutes."""
IRSA_ANNOTATION = "eks.amazonaws.com/role-arn"
SNAPSHOT_TAG = "velero.io/backup"
"""The tag Velero puts on every EBS snapshot it takes (and the restore copies onto the volume)."""
LIFECYCLE_GRACE_DAYS = 2
"""S3 expires a backup's objects this long after Velero's own TTL: Velero's garbage collection (hourly)
deletes the backup and its EBS snapshots first; the lifecycle only sweeps what it left behind."""
NONCURRENT_DAYS = 7
"""Versions Velero deleted or overwrote stay this long (an operator's mistake can be undone)."""
BACKUPS_PREFIX = "backups/"
RESTORES_PREFIX = "restores/"
"""Where Velero writes a restore's logs and results, in the location of the backup it restores."""
_CRON_FIELD = re.compile(r"^(\*|\d{1,2}(-\d{1,2})?)(/\d{1,2})?(,(\*|\d{1,2}(-\d{1,2})?)(/\d{1,2})?)*$")


def cron_problem(expression: str) -> str | None:
    """Why Velero's scheduler (standard five-field cron) would refuse ``expression``, or None."""
    fields = expression.split()
    if len(fields) != 5:
        return f"five fields (minute hour day-of-month month day-of-week); got {len(fields)}"
    for field in fields:
        if not _CRON_FIELD.match(field):
            return f"cron field {field!r} is not a number, range, list, step or *"
    return None


def ttl(days: int) -> str:
    """A Velero TTL (a Go duration: hours)."""
    return f"{days * 24}h0m0s"


def bucket_lifecycle(ttl_days: int) -> list[LifecycleRule]:
    """The Velero bucket keeps a backup as long as its TTL (plus the grace) and deleted versions a week."""
    return [
        LifecycleRule(id="velero-backups-ttl", prefix=BACKUPS_PREFIX, expiration_days=ttl_days + LIFECYCLE_GRACE_DAYS),
        LifecycleRule(
            id="velero-versions",
            noncurrent_version_expiration_days=NONCURRENT_DAYS,
            abort_incomplete_multipart_upload_days=1,
        ),
    ]


def _server_values(*, location: dict[str, Any], role_arn: Any, snapshot_volumes: bool) -> dict[str, Any]:
    """Velero on the system nodes with the AWS plugin and one backup location; credentials from IRSA, not a secret."""
    security = {
        "allowPrivilegeEscalation": False,
        "capabilities": {"drop": ["ALL"]},
        "readOnlyRootFilesystem": True,
    }
    return {
        "initContainers": [
            {
                "name": "velero-plugin-for-aws",
                "image": AWS_PLUGIN_IMAGE,
                "imagePullPolicy": "IfNotPresent",
                "volumeMounts": [{"mountPath": "/target", "name": "plugins"}],
                "securityContext": security,
            }
        ],
        "configuration": {"backupStorageLocation": [location], "logFormat": "json"},
        "snapshotsEnabled": snapshot_volumes,
        "deployNodeAgent": False,
        # IRSA: the chart's service account carries the role; no static credentials secret.
        "credentials": {"useSecret": False},
        "serviceAccount": {"server": {"create": True, "name": SERVICE_ACCOUNT, "annotations": {IRSA_ANNOTATION: role_arn}}},
        # The projected web-identity token readable by the pod's group (the chart's IRSA advice). No
        # runAsNonRoot: Velero's image names its user (cnb), which the kubelet cannot verify as non-root.
        "podSecurityContext": {"fsGroup": 65534, "seccompProfile": {"type": "RuntimeDefault"}},
        "containerSecurityContext": security,
        "nodeSelector": SYSTEM.node_selector(),
        "tolerations": SYSTEM.tolerations(),
        "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}, "limits": {"memory": "512Mi"}},
    }


def velero_values(
    *,
    region: str,
    bucket: Any,
    kms_key_arn: Any,
    role_arn: Any,
    schedule: str,
    ttl_days: int,
    namespaces: list[str],
    snapshot_volumes: bool,
) -> dict[str, Any]:
    """Velero on the system nodes with the AWS plugin, one backup location (the bucket) and one
    schedule over the platform's namespaces; credentials from IRSA, not a secret."""
    values = _server_values(
        location={
            "name": "default",
            "provider": PROVIDER,
            "bucket": bucket,
            "default": True,
            # SSE-KMS with the bucket's own key on every object Velero writes.
            "config": {"region": region, "kmsKeyId": kms_key_arn},
        },
        role_arn=role_arn,
        snapshot_volumes=snapshot_volumes,
    )
    values["configuration"]["volumeSnapshotLocation"] = [{"name": "default", "provider": PROVIDER, "config": {"region": region}}]
    values["schedules"] = {
        "platform": {
            "disabled": False,
            "schedule": schedule,
            # The Backup objects outlive an uninstall of the chart (no owner reference to the Schedule).
            "useOwnerReferencesInBackup": False,
            "template": {
                "ttl": ttl(ttl_days),
                "storageLocation": "default",
                "includedNamespaces": sorted(namespaces),
                "includeClusterResources": True,
                "snapshotVolumes": snapshot_volumes,
            },
        }
    }
    return values


def restore_values(*, region: str, bucket: Any, kms_key_arn: Any, role_arn: Any) -> dict[str, Any]:
    """Velero in the DR Region's cluster, restoring from the replica of the primary's Velero bucket: the location is
    ReadOnly (Velero's "disaster case": no backup is created or deleted there, its garbage collection leaves the
    replica alone), no schedule, no volume snapshots (the primary's EBS snapshots are in its own Region)."""
    return _server_values(
        location={
            "name": "default",
            "provider": PROVIDER,
            "bucket": bucket,
            "default": True,
            "accessMode": "ReadOnly",
            # A restore's logs and results (restores/<name>/) go under the replica's key, as S3 would replicate them.
            "config": {"region": region, "kmsKeyId": kms_key_arn},
        },
        role_arn=role_arn,
        snapshot_volumes=False,
    )


def velero_policy(*, bucket_arn: str, kms_key_arn: str, region: str, account_id: str, partition: str = "aws") -> str:
    """The AWS plugin's published policy, scoped: the bucket's objects (under its key), and EBS
    snapshots of this account's volumes in this Region, created, tagged and deleted only as Velero's."""
    volumes = f"arn:{partition}:ec2:{region}:{account_id}:volume/*"
    snapshots = f"arn:{partition}:ec2:{region}::snapshot/*"
    tagged_request = {"Null": {f"aws:RequestTag/{SNAPSHOT_TAG}": "false"}}
    tagged_resource = {"Null": {f"aws:ResourceTag/{SNAPSHOT_TAG}": "false"}}
    return policy_document(
        [
            {
                # Describe* supports no resource-level permissions (Service Authorization Reference).
                "Sid": "DescribeVolumesAndSnapshots",
                "Effect": "Allow",
                "Action": ["ec2:DescribeSnapshots", "ec2:DescribeVolumes"],
                "Resource": "*",
            },
            {"Sid": "SnapshotVolumes", "Effect": "Allow", "Action": "ec2:CreateSnapshot", "Resource": volumes},
            {
                "Sid": "CreateVeleroSnapshots",
                "Effect": "Allow",
                "Action": "ec2:CreateSnapshot",
                "Resource": snapshots,
                "Condition": tagged_request,
            },
            {
                "Sid": "RestoreFromVeleroSnapshots",
                "Effect": "Allow",
                "Action": "ec2:CreateVolume",
                "Resource": snapshots,
                "Condition": tagged_resource,
            },
            {
                "Sid": "CreateRestoredVolumes",
                "Effect": "Allow",
                "Action": "ec2:CreateVolume",
                "Resource": volumes,
                "Condition": tagged_request,
            },
            {
                # Only the tags CreateSnapshot and CreateVolume carry in their requests.
                "Sid": "TagOnCreate",
                "Effect": "Allow",
                "Action": "ec2:CreateTags",
                "Resource": [snapshots, volumes],
                "Condition": {"StringEquals": {"ec2:CreateAction": ["CreateSnapshot", "CreateVolume"]}},
            },
            {
                "Sid": "DeleteVeleroSnapshots",
                "Effect": "Allow",
                "Action": "ec2:DeleteSnapshot",
                "Resource": snapshots,
                "Condition": tagged_resource,
            },
            {
                "Sid": "BackupObjects",
                "Effect": "Allow",
                "Action": [
                    "s3:AbortMultipartUpload",
                    "s3:DeleteObject",
                    "s3:GetObject",
                    "s3:ListMultipartUploadParts",
                    "s3:PutObject",
                ],
                "Resource": f"{bucket_arn}/*",
            },
            {"Sid": "ListBucket", "Effect": "Allow", "Action": "s3:ListBucket", "Resource": bucket_arn},
            s3_key_statement("BucketKey", ["kms:Decrypt", "kms:GenerateDataKey"], kms_key_arn, region=region, arns=[bucket_arn, f"{bucket_arn}/*"]),
            {
                # Restoring a volume from an encrypted snapshot (the cluster's volumes use the storage key).
                "Sid": "EncryptedVolumes",
                "Effect": "Allow",
                "Action": ["kms:Decrypt", "kms:DescribeKey", "kms:GenerateDataKeyWithoutPlaintext", "kms:ReEncryptFrom", "kms:ReEncryptTo"],
                "Resource": kms_key_arn,
                "Condition": {"StringEquals": {"kms:ViaService": f"ec2.{region}.amazonaws.com"}},
            },
            {
                "Sid": "EncryptedVolumeGrants",
                "Effect": "Allow",
                "Action": "kms:CreateGrant",
                "Resource": kms_key_arn,
                "Condition": {"Bool": {"kms:GrantIsForAWSResource": "true"}, "StringEquals": {"kms:ViaService": f"ec2.{region}.amazonaws.com"}},
            },
        ]
    )


def restore_policy(*, bucket_arn: str, kms_key_arn: str, region: str) -> str:
    """The restoring Velero's policy: read the replica's backups, write only a restore's own logs and results
    (``restores/``), under the replica's key through S3. No EC2: it restores no volume snapshot."""
    return policy_document(
        [
            {"Sid": "ReadBackups", "Effect": "Allow", "Action": "s3:GetObject", "Resource": f"{bucket_arn}/*"},
            {
                "Sid": "WriteRestoreResults",
                "Effect": "Allow",
                "Action": ["s3:AbortMultipartUpload", "s3:PutObject"],
                "Resource": f"{bucket_arn}/{RESTORES_PREFIX}*",
            },
            {"Sid": "ListBucket", "Effect": "Allow", "Action": "s3:ListBucket", "Resource": bucket_arn},
            s3_key_statement("ReplicaKey", ["kms:Decrypt", "kms:GenerateDataKey"], kms_key_arn, region=region, arns=[bucket_arn, f"{bucket_arn}/*"]),
        ]
    )
