"""Fixtures of the preflight tests: a real headless Chromium for what a person sees."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

# Debian's Chromium here and in .ci/run; the Chrome GitHub's Ubuntu runners come with in the workflow.
CHROMIUM = next(
    (found for found in (shutil.which(name) for name in ("chromium", "chromium-browser", "google-chrome")) if found),
    "/usr/bin/chromium",
)
# What the machine's closed network needs (no background fetches) and what root needs (no sandbox).
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), "Chromium is needed to test what a person sees: apt-get install chromium (.ci/run does)"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield launched
        launched.close()


