"""Checks that run over a finished plan document (the JSON ``preflight --json`` writes).

Each stage reads the plan, adds one section to it (``violations``, ``cost``, ``quotas``, ``spec``), prints
its part of the report and may fail the run. They work on the JSON document, not on
live objects, so ``--check-plan`` runs them on a plan from anywhere.
"""

from __future__ import annotations

from .stage import Stage


def registered_stages() -> list[Stage]:
    """The stages, in order. Imported lazily so a broken stage cannot break plan capture."""
    from .cost_stage import STAGE as cost_stage
    from .policy_stage import STAGE as policy_stage
    from .quota_stage import STAGE as quota_stage
    from .spec_stage import STAGE as spec_stage

    # Cost first: the budget policy reads the same model the cost section reports. The spec
    # stage lints in a worker process while the others run, and reports last.
    return [cost_stage, quota_stage, policy_stage, spec_stage]
