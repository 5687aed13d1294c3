"""SharedFileSystem: the seed's "Amazon EFS: shared storage for Kubernetes pods".

One file system per stack, encrypted with the storage key, elastic throughput (pay for
what is read and written, no provisioned baseline), lifecycle management (to Infrequent
Access after the configured days, back to Standard on first access) and AWS Backup's
automatic daily backups. A mount target in every AZ the pods run in, behind a security
group that admits NFS (2049) only from the cluster nodes' security group. An access
point for TorchServe's model store, and the EFS CSI driver's ``StorageClass`` for
dynamic provisioning through access points, so any ``PersistentVolumeClaim`` works.

The storage layer comes before eks: the subnets, the node security group and the
Kubernetes provider arrive as inputs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Optional

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from ..platform import ComponentTags, service_security_group
from .plan import EFS_CSI_PROVISIONER, NFS_PORT, efs_storage_class_parameters, efs_transition_to_ia
from .settings import EfsSettings


@dataclass
class SharedFileSystemArgs:
    """Inputs of :class:`SharedFileSystem`."""

    vpc_id: pulumi.Input[str]
    subnet_ids: Mapping[str, pulumi.Input[str]]
    """One subnet per AZ the pods run in (AZ -> subnet): EFS allows one mount target per AZ,
    and pods in the AZ's other subnets reach it through the VPC's local route."""
    node_security_group_ids: Sequence[pulumi.Input[str]]
    """The cluster nodes' security group(s): the only NFS clients admitted."""
    kms_key_arn: pulumi.Input[str]
    """The storage key (``keys["storage"]``)."""
    k8s_provider: k8s.Provider
    """The cluster's provider, for the StorageClass (the EFS CSI driver runs there)."""
    settings: EfsSettings
    """Lifecycle, backups, the access point and the StorageClass (``StorageSettings.efs``)."""
    protect: bool = True
    """Pulumi-protect the file system (stateful: deleting it loses the files)."""


class SharedFileSystem(pulumi.ComponentResource):
    """An encrypted EFS file system with mount targets, an access point and a StorageClass."""

    file_system_id: pulumi.Output[str]
    file_system_arn: pulumi.Output[str]
    access_point_id: pulumi.Output[str]
    storage_class_name: pulumi.Output[str]
    security_group_id: pulumi.Output[str]

    def __init__(self, name: str, args: SharedFileSystemArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:
        _check_args(args)
        super().__init__("betterprompts:storage:SharedFileSystem", name, None, opts)
        settings = args.settings
        tags = ComponentTags("efs")
        child = pulumi.ResourceOptions(parent=self)

        self.security_group = service_security_group(
            f"{name}-nfs",
            vpc_id=args.vpc_id,
            port=NFS_PORT,
            service="EFS (NFS)",
            client_security_group_ids=list(args.node_security_group_ids),
            tags=tags,
            opts=child,
        )

        lifecycle = [aws.efs.FileSystemLifecyclePolicyArgs(transition_to_ia=efs_transition_to_ia(settings.transition_to_ia_days))]
        if settings.transition_to_primary_on_access:
            lifecycle.append(aws.efs.FileSystemLifecyclePolicyArgs(transition_to_primary_storage_class="AFTER_1_ACCESS"))
        self.file_system = aws.efs.FileSystem(
            name,
            encrypted=True,
            kms_key_id=args.kms_key_arn,
            performance_mode="generalPurpose",
            # Elastic: billed per GB transferred, scales with the pods; needs General Purpose.
            throughput_mode="elastic",
            lifecycle_policies=lifecycle,
            tags=tags(name),
            opts=pulumi.ResourceOptions(parent=self, protect=args.protect),
        )
        fs_child = pulumi.ResourceOptions(parent=self.file_system)
        aws.efs.BackupPolicy(
            f"{name}-backup",
            file_system_id=self.file_system.id,
            backup_policy=aws.efs.BackupPolicyBackupPolicyArgs(status="ENABLED" if settings.automatic_backups else "DISABLED"),
            opts=fs_child,
        )
        self.mount_targets = {
            az: aws.efs.MountTarget(
                f"{name}-{az}",
                file_system_id=self.file_system.id,
                subnet_id=subnet,
                security_groups=[self.security_group.id],
                opts=fs_child,
            )
            for az, subnet in sorted(args.subnet_ids.items())
        }
        ap = settings.access_point
        ap_name = f"{name}-models"
        self.access_point = aws.efs.AccessPoint(
            ap_name,
            file_system_id=self.file_system.id,
            # Every NFS request through it acts as this user, whatever the pod runs as.
            posix_user=aws.efs.AccessPointPosixUserArgs(uid=ap.uid, gid=ap.gid),
            root_directory=aws.efs.AccessPointRootDirectoryArgs(
                path=ap.path,
                # EFS creates the directory on first use, owned by the access point's user.
                creation_info=aws.efs.AccessPointRootDirectoryCreationInfoArgs(
                    owner_uid=ap.uid, owner_gid=ap.gid, permissions=ap.permissions
                ),
            ),
            tags=tags(ap_name),
            opts=fs_child,
        )

        self.storage_class = k8s.storage.v1.StorageClass(
            f"{name}-storage-class",
            metadata=k8s.meta.v1.ObjectMetaArgs(name=settings.storage_class_name),
            provisioner=EFS_CSI_PROVISIONER,
            parameters=self.file_system.id.apply(
                lambda fs: efs_storage_class_parameters(
                    fs, directory_perms=settings.directory_perms, gid_range=settings.gid_range, base_path=settings.base_path
                )
            ),
            # Encrypt NFS traffic between pods and the mount targets.
            mount_options=["tls"],
            reclaim_policy="Retain" if args.protect else "Delete",
            volume_binding_mode="Immediate",
            opts=pulumi.ResourceOptions(
                parent=self, provider=args.k8s_provider, depends_on=list(self.mount_targets.values())
            ),
        )

        self.file_system_id = self.file_system.id
        self.file_system_arn = self.file_system.arn
        self.access_point_id = self.access_point.id
        self.storage_class_name = self.storage_class.metadata.name
        self.security_group_id = self.security_group.id
        self.register_outputs(
            {
                "file_system_id": self.file_system_id,
                "file_system_arn": self.file_system_arn,
                "access_point_id": self.access_point_id,
                "storage_class_name": self.storage_class_name,
                "security_group_id": self.security_group_id,
            }
        )


def _check_args(args: SharedFileSystemArgs) -> None:
    if not args.subnet_ids:
        raise ValueError("SharedFileSystem: at least one subnet (one mount target per AZ) is required")
    if not args.node_security_group_ids:
        raise ValueError("SharedFileSystem: the cluster nodes' security group must be admitted to NFS")
    efs_transition_to_ia(args.settings.transition_to_ia_days)
