"""What a stage is: a check over a finished plan document that adds one section to it.

The stage modules (``cost_stage``, ``policy_stage``) build on these types; ``stages``
lists them. Neither imports the other's side, so there is no import cycle.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Optional

Document = dict[str, Any]


@dataclass
class StageResult:
    data: Any
    """What the stage adds to the plan under its key."""
    lines: list[str] = field(default_factory=list)
    """Its part of the printed report."""
    failed: bool = False
    """True makes ``preflight`` exit non-zero."""
    detail_lines: list[str] = field(default_factory=list)
    """Its part of the report when every detail is asked for (``--cost-details``); empty: ``lines``."""


@dataclass(frozen=True)
class Stage:
    key: str
    title: str
    run: Callable[[Document], StageResult]
    prepare: Optional[Callable[[Document], None]] = None
    """Called for every stage before any runs: work a stage hands to another process starts
    here, so it overlaps the stages before it."""
    warm: Optional[Callable[[], None]] = None
    """Called when preflight starts, before the program runs: loading that needs no plan."""
