"""Pure calculations for ImageRepositories: repository names and the lifecycle policy.

The application's four images (the seed's services) live in ECR repositories of this stack:
tags are immutable (a release tag always names the same image; deploys pin digests anyway),
every push is scanned, the images are encrypted with the stack's storage key, and a lifecycle
keeps the last N release images and expires untagged ones (superseded builds, pushes by digest
whose tag moved on).
"""

from __future__ import annotations

import json

# The four services' images (frontend, intent classifier, technique selector, TorchServe's prompt generator).
IMAGES = ("frontend", "intent-classifier", "technique-selector", "prompt-generator")


def repository_name(prefix: str, image: str) -> str:
    """``<prefix>/<image>``: ECR names are lower case, 2-256 characters, ``/`` for namespaces."""
    return f"{prefix}/{image}"


def lifecycle_policy(*, keep_releases: int, untagged_days: int) -> str:
    """Untagged images expire after ``untagged_days``; of tagged images the newest ``keep_releases`` stay.

    ECR evaluates rules by ascending priority and an image is acted on by the first rule that
    selects it; the untagged rule comes first, the tagged one (every tag: ``*``) second.
    """
    if keep_releases < 1 or untagged_days < 1:
        raise ValueError("keep at least one release and expire untagged images after at least a day")
    rules = [
        {
            "rulePriority": 1,
            "description": f"Expire untagged images after {untagged_days} days",
            "selection": {"tagStatus": "untagged", "countType": "sinceImagePushed", "countUnit": "days", "countNumber": untagged_days},
            "action": {"type": "expire"},
        },
        {
            "rulePriority": 2,
            "description": f"Keep the last {keep_releases} release images",
            "selection": {"tagStatus": "tagged", "tagPatternList": ["*"], "countType": "imageCountMoreThan", "countNumber": keep_releases},
            "action": {"type": "expire"},
        },
    ]
    return json.dumps({"rules": rules}, sort_keys=True)
