"""Backups: AWS Backup vaults in the stack's Region and the DR Region, their lock, one plan.

Each vault has its own customer-managed key (a key per Region: KMS keys never leave theirs), whose
policy admits the AWS Backup service role through AWS Backup and RDS only. The plan takes a
snapshot of every stateful store it selects (by resource type and the tags their components set,
``backup_plan.selections``) on the configured schedule, keeps it ``retentionDays`` (the seed's 30-day
snapshot lifecycle) and copies it to the DR vault with the same retention. Vault Lock (compliance
mode in production) makes recovery points undeletable before their retention ends: after its
grace time (``changeableForDays``) not even the account root can remove the lock or the vault.

The DR Region's provider arrives as ``dr_provider`` (a component takes one provider per package
through ``opts``; this one needs two AWS providers).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Optional

import pulumi
import pulumi_aws as aws

from ..platform import ComponentTags, account_key_policy, service_assume_role_policy
from .backup_plan import (
    BACKUP_MANAGED_POLICIES,
    LockMode,
    SelectionSpec,
    backup_key_statements,
    schedule_expression,
    selection_conditions,
)
from .keys import dr_key
from .settings import BackupSettings

# AWS Backup starts a job within an hour of its schedule, and abandons one not finished within
# the completion window: a day, so a slow snapshot is not abandoned before the next one is due.
START_WINDOW_MINUTES = 60
COMPLETION_WINDOW_MINUTES = 24 * 60


@dataclass
class BackupsArgs:
    """Inputs of :class:`Backups`."""

    settings: BackupSettings
    """Schedule, retention, the copy to the DR Region and the vault lock (``betterprompts:dr.backup``)."""
    selections: Sequence[SelectionSpec]
    """What the plan backs up (``backup_plan.selections``)."""
    region: str
    """The stack's Region (the primary vault's)."""
    dr_region: str
    """The DR Region (the copy vault's)."""
    account_id: pulumi.Input[str]
    dr_provider: Optional[pulumi.ProviderResource]
    """An AWS provider for ``dr_region`` with the stack's default tags; required with ``copy_to_dr_region``."""
    kms_deletion_window_days: int = 30
    protect: bool = True
    """Pulumi-protect the keys, vaults and locks; without it the vaults are force-destroyable (staging)."""


class Backups(pulumi.ComponentResource):
    """AWS Backup: a vault per Region with its own key and lock, one plan, its selections and role."""

    plan_arn: pulumi.Output[str]
    vault_arns: dict[str, pulumi.Output[str]]
    role_arn: pulumi.Output[str]

    def __init__(self, name: str, args: BackupsArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:
        _check_args(args)
        super().__init__("betterprompts:dr:Backups", name, None, opts)
        tags = ComponentTags("backup")
        settings = args.settings
        account = pulumi.Output.from_input(args.account_id)

        role_name = f"{name}-role"
        self.role = aws.iam.Role(
            role_name,
            description="AWS Backup creates, copies and restores this stack's recovery points",
            assume_role_policy=account.apply(lambda a: service_assume_role_policy("backup.amazonaws.com", source_account=a)),
            tags=tags(role_name),
            opts=pulumi.ResourceOptions(parent=self),
        )
        attachments = [
            aws.iam.RolePolicyAttachment(
                f"{role_name}-{purpose}",
                role=self.role.name,
                policy_arn=policy,
                opts=pulumi.ResourceOptions(parent=self.role),
            )
            for purpose, policy in BACKUP_MANAGED_POLICIES.items()
        ]

        regions = {"primary": (args.region, pulumi.ResourceOptions(parent=self))}
        if settings.copy_to_dr_region:
            regions["dr"] = (args.dr_region, pulumi.ResourceOptions(parent=self, provider=args.dr_provider))
        self.vaults: dict[str, aws.backup.Vault] = {}
        for key, (region, region_opts) in regions.items():
            vault_name = f"{name}-{key}"
            vault_key = dr_key(
                f"{vault_name}-key",
                description=f"AWS Backup vault {vault_name} ({region})",
                # KMS refuses a policy naming a principal that does not exist yet: the role's ARN orders them.
                policy=_vault_key_policy(self.role.arn, account, region),
                deletion_window_days=args.kms_deletion_window_days,
                protect=args.protect,
                tags=tags,
                opts=region_opts,
            )
            vault = aws.backup.Vault(
                vault_name,
                name=vault_name,
                kms_key_arn=vault_key.arn,
                # A locked vault cannot be emptied anyway; an unprotected stack's can be destroyed.
                force_destroy=not args.protect,
                tags=tags(vault_name),
                opts=pulumi.ResourceOptions.merge(region_opts, pulumi.ResourceOptions(protect=args.protect)),
            )
            lock = settings.lock
            if lock.mode is not LockMode.NONE:
                aws.backup.VaultLockConfiguration(
                    vault_name,
                    backup_vault_name=vault.name,
                    min_retention_days=lock.min_retention_days,
                    max_retention_days=lock.max_retention_days,
                    # Set: compliance mode, immutable after these days. Absent: governance mode.
                    changeable_for_days=lock.changeable_for_days if lock.mode is LockMode.COMPLIANCE else None,
                    opts=pulumi.ResourceOptions(parent=vault, protect=args.protect),
                )
            self.vaults[key] = vault

        lifecycle_days = settings.retention_days
        copy_actions = (
            [
                aws.backup.PlanRuleCopyActionArgs(
                    destination_vault_arn=self.vaults["dr"].arn,
                    lifecycle=aws.backup.PlanRuleCopyActionLifecycleArgs(delete_after=lifecycle_days),
                )
            ]
            if "dr" in self.vaults
            else None
        )
        self.plan = aws.backup.Plan(
            name,
            name=name,
            rules=[
                aws.backup.PlanRuleArgs(
                    rule_name="snapshots",
                    target_vault_name=self.vaults["primary"].name,
                    schedule=schedule_expression(settings.frequency_hours, settings.start_hour_utc),
                    start_window=START_WINDOW_MINUTES,
                    completion_window=COMPLETION_WINDOW_MINUTES,
                    lifecycle=aws.backup.PlanRuleLifecycleArgs(delete_after=lifecycle_days),
                    copy_actions=copy_actions,
                )
            ],
            tags=tags(name),
            opts=pulumi.ResourceOptions(parent=self),
        )
        for spec in args.selections:
            aws.backup.Selection(
                f"{name}-{spec.key}",
                name=f"{name}-{spec.key}",
                plan_id=self.plan.id,
                iam_role_arn=self.role.arn,
                resources=[spec.arn_pattern],
                conditions=[
                    aws.backup.SelectionConditionArgs(
                        string_equals=[
                            aws.backup.SelectionConditionStringEqualArgs(key=c["key"], value=c["value"])
                            for c in selection_conditions(spec.tags)
                        ]
                    )
                ],
                # The role's policies first: AWS Backup checks the role when the selection is created.
                opts=pulumi.ResourceOptions(parent=self.plan, depends_on=attachments),
            )

        self.plan_arn = self.plan.arn
        self.vault_arns = {key: vault.arn for key, vault in self.vaults.items()}
        self.role_arn = self.role.arn
        self.register_outputs({"plan_arn": self.plan_arn, "vault_arns": self.vault_arns, "role_arn": self.role_arn})


def _vault_key_policy(role_arn: pulumi.Output[str], account: pulumi.Output[str], region: str) -> pulumi.Output[str]:
    def document(values: list[str]) -> str:
        role, account_id = values
        return account_key_policy(account_id=account_id, statements=backup_key_statements(role, region=region, account_id=account_id))

    return pulumi.Output.all(role_arn, account).apply(document)


def _check_args(args: BackupsArgs) -> None:
    if args.settings.copy_to_dr_region and args.dr_provider is None:
        raise ValueError("Backups: copying to the DR Region needs dr_provider (an AWS provider for that Region)")
    if args.dr_region == args.region:
        raise ValueError(f"Backups: the DR Region must differ from the stack's ({args.region})")
    if not args.selections:
        raise ValueError("Backups: a plan with no selection backs nothing up")
    keys = [s.key for s in args.selections]
    if len(set(keys)) != len(keys):
        raise ValueError(f"Backups: selection keys must be unique, got {keys}")
