"""FSBP controls the pack decides at preview time: each policy on violating and compliant resources
registered through the real pulumi-aws classes (tests/policy_plans.sdk_plan), judged by the real analyzer path."""

from __future__ import annotations

import pulumi_aws as aws

from tests.policy_plans import KEY, messages, sdk_plan

ROLE_ARN = "arn:aws:iam::123456789012:role/scheduler"


# --- EventBridge Scheduler --------------------------------------------------------------------


def _schedule(name: str, **extra: object) -> None:
    aws.scheduler.Schedule(
        name,
        schedule_expression="cron(0 20 ? * MON-FRI *)",
        flexible_time_window=aws.scheduler.ScheduleFlexibleTimeWindowArgs(mode="OFF"),
        target=aws.scheduler.ScheduleTargetArgs(arn="arn:aws:scheduler:::aws-sdk:rds:stopDBInstance", role_arn=ROLE_ARN, input="{}"),
        **extra,  # type: ignore[arg-type]
    )


def test_a_schedule_without_a_customer_managed_key_is_a_violation() -> None:
    [message] = messages(sdk_plan(lambda: _schedule("stop")), "scheduler-schedule-encrypted-with-cmk")
    assert message.startswith("aws:scheduler/schedule:Schedule 'stop': kmsKeyArn is not set")
    assert "Fix: set kms_key_arn" in message


def test_a_schedule_under_an_aws_managed_alias_is_a_violation() -> None:
    found = messages(sdk_plan(lambda: _schedule("stop", kms_key_arn="alias/aws/scheduler")), "scheduler-schedule-encrypted-with-cmk")
    assert len(found) == 1 and "names the AWS-managed key 'alias/aws/scheduler'" in found[0]


def test_a_schedule_with_a_customer_managed_key_passes() -> None:
    def program() -> None:
        key = aws.kms.Key("alarms", enable_key_rotation=True)
        _schedule("stop", kms_key_arn=key.arn)

    assert messages(sdk_plan(program), "scheduler-schedule-encrypted-with-cmk") == []
    assert messages(sdk_plan(lambda: _schedule("stop", kms_key_arn=KEY)), "scheduler-schedule-encrypted-with-cmk") == []
