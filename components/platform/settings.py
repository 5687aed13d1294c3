"""``betterprompts:platform``: who owns the stack, what it costs against, how it is protected."""

from __future__ import annotations

from dataclasses import dataclass, field

from .config import ConfigError, Section
from .naming import cost_allocation_tags

# Tag keys that AWS, or our own cost-allocation tags, reserve; extra tags may not override them.
RESERVED_TAG_KEYS = ("Project", "Environment", "Service", "Component", "CostCenter", "Owner", "ManagedBy")


@dataclass(frozen=True)
class PlatformSettings:
    """Ownership, cost allocation and protection of stateful resources."""

    owner: str
    """Team or address that answers for the stack (the ``Owner`` tag)."""
    cost_center: str
    """Finance code the stack's spend is booked to (the ``CostCenter`` tag)."""
    service: str = "betterprompts"
    """The product the resources serve (the ``Service`` tag)."""
    protect_stateful: bool = True
    """Deletion protection, final snapshots and Pulumi ``protect`` on stateful resources."""
    kms_deletion_window_days: int = 30
    """Waiting period before a scheduled KMS key deletion takes effect (7-30)."""
    alarm_emails: tuple[str, ...] = ()
    """Addresses subscribed to the shared alarm topic (at least one, unless opted out)."""
    alarm_destination_opt_out: str = ""
    """Why this stack's alarm topic may have no subscriber (required when ``alarm_emails`` is empty)."""
    create_autoscaling_service_linked_role: bool = False
    """Create AWSServiceRoleForAutoScaling (a fresh account; creating it where it exists fails)."""
    extra_tags: dict[str, str] = field(default_factory=dict)
    """More tags for every resource (for example ``DataClassification``)."""

    def default_tags(self, project: str, stack: str) -> dict[str, str]:
        """The cost-allocation tags the stack's provider puts on every taggable resource."""
        return cost_allocation_tags(
            project=project,
            environment=stack,
            service=self.service,
            cost_center=self.cost_center,
            owner=self.owner,
            extra=self.extra_tags,
        )

    @staticmethod
    def read(section: Section) -> "PlatformSettings":
        extra = section.mapping("extraTags", {})
        for key in extra:
            if key in RESERVED_TAG_KEYS or key.lower().startswith("aws:"):
                raise ConfigError(
                    f"{section.key('extraTags')}.{key}",
                    extra[key],
                    "a tag key other than " + ", ".join(RESERVED_TAG_KEYS) + " and aws:*",
                )
        settings = PlatformSettings(
            owner=section.string("owner"),
            cost_center=section.string("costCenter"),
            service=section.string("service", "betterprompts"),
            protect_stateful=section.boolean("protectStatefulResources", True),
            kms_deletion_window_days=section.integer(
                "kmsDeletionWindowDays", 30, minimum=7, maximum=30
            ),
            alarm_emails=section.strings("alarmEmails", [], item=check_email),
            alarm_destination_opt_out=(
                section.string("alarmDestinationOptOut").strip() if section.has("alarmDestinationOptOut") else ""
            ),
            create_autoscaling_service_linked_role=section.boolean("createAutoScalingServiceLinkedRole", False),
            extra_tags=extra,
        )
        if settings.alarm_emails and settings.alarm_destination_opt_out:
            raise ConfigError(
                section.key("alarmDestinationOptOut"),
                settings.alarm_destination_opt_out,
                "no opt-out while alarmEmails are set (remove one of the two)",
            )
        if not settings.alarm_emails and not settings.alarm_destination_opt_out:
            raise ConfigError(
                section.key("alarmEmails"),
                [],
                "at least one address subscribed to the alarm topic, or alarmDestinationOptOut: <why nobody needs"
                " this stack's alarms>",
            )
        section.finish()
        return settings


def check_email(key: str, value: object) -> str:
    """An address SNS and AWS Budgets can deliver to, checked by the ``email-validator`` library.

    Syntax only (no DNS lookup: preflight runs offline); the value is kept as written, since
    the subscription is keyed by it.
    """
    from email_validator import EmailNotValidError, validate_email

    if not isinstance(value, str):
        raise ConfigError(key, value, "an email address such as oncall@example.com")
    try:
        validate_email(value, check_deliverability=False)
    except EmailNotValidError as exc:
        raise ConfigError(key, value, f"an email address such as oncall@example.com ({exc})") from None
    return value
