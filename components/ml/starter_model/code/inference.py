"""The starter model: what the serverless endpoint serves until a real model is configured.

The stack uploads this handler as ``model.tar.gz`` (``code/inference.py``, nothing else) so
the endpoint's first deploy has an archive the PyTorch inference container can load: the
container's SageMaker inference toolkit imports ``code/inference.py`` and calls these
functions instead of loading ``model.pt``. It needs no framework and answers every request
with a fixed JSON body saying no model is deployed, so health checks and smoke tests pass
and nothing pretends to be a prediction.
"""

from __future__ import annotations

import json
from typing import Any

STARTER = {"model": "starter", "message": "no model deployed yet: set betterprompts:inference.serverless.modelArtifactKey"}


def model_fn(model_dir: str) -> dict[str, str]:
    """Nothing to load: the 'model' is the fixed answer."""
    return dict(STARTER)


def input_fn(input_data: Any, content_type: str) -> Any:
    """Accept JSON (or anything else, unread): the starter ignores its input."""
    if content_type == "application/json" and input_data:
        return json.loads(input_data)
    return None


def predict_fn(data: Any, model: dict[str, str]) -> dict[str, str]:
    return model


def output_fn(prediction: dict[str, str], accept: str) -> tuple[str, str]:
    return json.dumps(prediction), "application/json"
