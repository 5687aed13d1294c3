"""ML serving (seed section 3): the SageMaker endpoint (``InferenceEndpoint``, option B) and
TorchServe on the GPU pool (``TorchServe``, option A), their plans, and the ``inference``
config section. TorchServe is the prompt-generator row of the seed's HPA table, so it takes
its settings and HPA from the ``apps`` layer.

This module is the package's face: code outside the package imports from here.
"""

from __future__ import annotations

from .inference import InferenceEndpoint, InferenceEndpointArgs, ModelBucketRef
from .inference_settings import InferenceSettings
from .torchserve import EfsModelStore, ModelStore, TorchServe, TorchServeArgs

__all__ = [
    "EfsModelStore",
    "ModelStore",
    "InferenceEndpoint",
    "InferenceEndpointArgs",
    "InferenceSettings",
    "ModelBucketRef",
    "TorchServe",
    "TorchServeArgs",
]
