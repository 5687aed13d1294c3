"""Serverless (seed "5. Serverless Components" and the API Gateway for serverless endpoints): the
intent classifier's SQS work queue (``WorkQueue``) whose depth the intent-classifier's HPA scales
on; the seed's functions (``ServerlessWorkers``: image optimization, webhook processing, scheduled
tasks, each a ``ServerlessFunction`` with its code under ``functions/``); the regional REST API in
front of the webhook (``ServerlessApi``: WAF, access logs, throttle, custom domain); the
bulk-processing workflow (``BulkTransform``: Step Functions around a SageMaker batch transform); the
``serverless`` config section.

This module is the package's face: code outside the package imports from here.
"""

from __future__ import annotations

from .api import ServerlessApi, ServerlessApiArgs
from .api_settings import ApiSettings
from .function import FunctionVpc, ServerlessFunction, ServerlessFunctionArgs
from .function_settings import FunctionSettings, FunctionsSettings
from .queue import WorkQueue, WorkQueueArgs
from .queue_plan import QueueAlarmSettings, consumer_policy, dead_letter_queue_name, intent_queue_name, queue_arn, queue_url
from .settings import ServerlessSettings, WorkQueueSettings, read_work_queue
from .workers import ServerlessWorkers, ServerlessWorkersArgs
from .workflow import BulkTransform, BulkTransformArgs
from .workflow_settings import BulkTransformSettings

__all__ = [
    "ApiSettings",
    "ServerlessApi",
    "ServerlessApiArgs",
    "BulkTransform",
    "BulkTransformArgs",
    "BulkTransformSettings",
    "FunctionSettings",
    "FunctionVpc",
    "FunctionsSettings",
    "ServerlessFunction",
    "ServerlessFunctionArgs",
    "ServerlessWorkers",
    "ServerlessWorkersArgs",
    "QueueAlarmSettings",
    "ServerlessSettings",
    "WorkQueue",
    "WorkQueueArgs",
    "WorkQueueSettings",
    "read_work_queue",
    "consumer_policy",
    "dead_letter_queue_name",
    "intent_queue_name",
    "queue_arn",
    "queue_url",
]
