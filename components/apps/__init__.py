"""The application layer in the cluster: the seed's services with their HPAs
(``Workloads``), the Parameter Store entries apps read (``AppParameters``), the metrics pipeline the HPAs scale on (``MetricsPipeline``), the ECR
repositories of the application's images (``ImageRepositories``, ``images`` section), the application
repository's GitHub deploy role and its namespaced EKS access (``DeliveryAccess``, ``delivery`` section), the
self-hosted runners on spot (``RunnerScaleSet``, ``runners`` section), the seed's HPA
table, and the ``workloads`` config section (which also holds TorchServe's settings).

This module is the package's face: code outside the package imports from here.
"""

from __future__ import annotations

from .delivery import DeliveryAccess, DeliveryAccessArgs
from .delivery_plan import subject as github_subject
from .delivery_settings import DeliverySettings
from .images import ImageRepositories, ImageRepositoriesArgs
from .images_plan import IMAGES, lifecycle_policy, repository_name
from .images_settings import ImagesSettings
from .metrics import ManagedPrometheusTarget, MetricsPipeline, MetricsPipelineArgs, QueueDepthSource
from .parameters import AppParameters, AppParametersArgs
from .parameters_plan import parameter_path
from .pull_secrets import pull_secret, pull_secret_name
from .registries import Registry
from .runners import RunnerScaleSet, RunnerScaleSetArgs
from .runners_settings import RunnersSettings
from .settings import MetricsSettings, ServiceSettings, TorchServeSettings, WorkloadsSettings, namespace_setting
from .workloads import HEALTH_PATH, SERVICE_PORT, ServiceAwsAccess, Workloads, WorkloadsArgs
from .workloads_plan import gpu_metrics, hpa_spec

__all__ = [
    "AppParameters",
    "AppParametersArgs",
    "DeliveryAccess",
    "DeliveryAccessArgs",
    "DeliverySettings",
    "HEALTH_PATH",
    "IMAGES",
    "ImageRepositories",
    "ImageRepositoriesArgs",
    "ImagesSettings",
    "SERVICE_PORT",
    "ManagedPrometheusTarget",
    "MetricsPipeline",
    "MetricsPipelineArgs",
    "MetricsSettings",
    "QueueDepthSource",
    "Registry",
    "RunnerScaleSet",
    "RunnerScaleSetArgs",
    "RunnersSettings",
    "ServiceSettings",
    "TorchServeSettings",
    "Workloads",
    "ServiceAwsAccess",
    "WorkloadsArgs",
    "WorkloadsSettings",
    "github_subject",
    "gpu_metrics",
    "hpa_spec",
    "lifecycle_policy",
    "namespace_setting",
    "parameter_path",
    "pull_secret",
    "pull_secret_name",
    "repository_name",
]
