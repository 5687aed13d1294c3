"""Parameter Store names for what applications read (seed "Data Security: Parameter Store").

SSM parameter names (Systems Manager User Guide, "Requirements and constraints for parameter
names"): letters, digits and ``. - _ /``, a hierarchy of at most 15 levels, fully qualified names
starting with ``/``, no ``aws``/``ssm`` prefix, at most 1011 characters for the name part.
"""

from __future__ import annotations

import re

_SEGMENT = re.compile(r"^[A-Za-z0-9._-]+$")
MAX_LEVELS = 15
MAX_NAME = 1011


def parameter_path(project: str, stack: str) -> str:
    """Every parameter of a stack lives under ``/<project>/<stack>/`` (apps read one path)."""
    return f"/{project}/{stack}"


def parameter_name(path: str, key: str) -> str:
    """``<path>/<key>``, checked as SSM would check it (``database/address``)."""
    name = f"{path.rstrip('/')}/{key.strip('/')}"
    segments = name.strip("/").split("/")
    if len(segments) > MAX_LEVELS:
        raise ValueError(f"parameter {name!r}: more than {MAX_LEVELS} levels")
    if len(name) > MAX_NAME:
        raise ValueError(f"parameter {name!r}: longer than {MAX_NAME} characters")
    bad = [s for s in segments if not _SEGMENT.match(s)]
    if bad:
        raise ValueError(f"parameter {name!r}: segment {bad[0]!r} may hold only letters, digits and . - _")
    if segments[0].lower().startswith(("aws", "ssm")):
        raise ValueError(f"parameter {name!r}: names may not start with aws or ssm")
    return name
