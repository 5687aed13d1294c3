"""Serverless (seed "5. Serverless Components" and the API Gateway for serverless endpoints): the
intent classifier's SQS work queue (``WorkQueue``) whose depth the intent-classifier's HPA scales
on, and the ``serverless`` config section.

This module is the package's face: code outside the package imports from here.
"""

from __future__ import annotations

from .queue import WorkQueue, WorkQueueArgs
from .queue_plan import QueueAlarmSettings, dead_letter_queue_name, intent_queue_name, queue_arn
from .settings import ServerlessSettings, WorkQueueSettings

__all__ = [
    "QueueAlarmSettings",
    "ServerlessSettings",
    "WorkQueue",
    "WorkQueueArgs",
    "WorkQueueSettings",
    "dead_letter_queue_name",
    "intent_queue_name",
    "queue_arn",
]
