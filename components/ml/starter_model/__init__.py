"""The starter model archive the stack uploads for the serverless endpoint's first deploy.

A single-model endpoint needs its archive when it is created, and the bucket that holds it
is created by the same ``pulumi up``. The stack therefore uploads a tiny archive of its own
(``code/inference.py`` from this folder) under a key it owns; the endpoint serves it until
``serverless.modelArtifactKey`` names a real model. The archive is built byte-for-byte the
same on every run (fixed mtimes, owners and modes, gzip without a timestamp), so the object
never shows a diff.
"""

from __future__ import annotations

import base64
import gzip
import io
import tarfile
from pathlib import Path

HANDLER = Path(__file__).resolve().parent / "code" / "inference.py"
ARCHIVE_MEMBER = "code/inference.py"
STARTER_ARTIFACT_KEY = "serverless/starter/model.tar.gz"
"""Where the archive goes, relative to the model prefix (a key no real model uses)."""


def starter_archive() -> bytes:
    """``model.tar.gz`` with ``code/inference.py``: deterministic bytes."""
    source = HANDLER.read_bytes()
    tar_bytes = io.BytesIO()
    with tarfile.open(fileobj=tar_bytes, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        info = tarfile.TarInfo(ARCHIVE_MEMBER)
        info.size = len(source)
        info.mode = 0o644
        info.mtime = 0
        info.uid = info.gid = 0
        info.uname = info.gname = ""
        tar.addfile(info, io.BytesIO(source))
    return gzip.compress(tar_bytes.getvalue(), compresslevel=9, mtime=0)


def starter_archive_base64() -> str:
    return base64.b64encode(starter_archive()).decode("ascii")
