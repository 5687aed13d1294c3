"""Entry point Pulumi runs for ``pulumi preview --policy-pack policies``.

Pulumi runs this file as a script with the pack directory as working directory and on
``sys.path`` (``runpy.run_path``), not as part of a package, so the pack directory is
loaded as the package ``policies`` first: the policy modules use relative imports and
import the same way from the repository root (``preflight``, tests). Constructing the
``PolicyPack`` starts the gRPC server and blocks, so nothing may import this module.
"""

import importlib.util
import sys
from pathlib import Path

from pulumi_policy import PolicyPack

if __package__ in (None, ""):
    _PACK_DIR = Path(__file__).resolve().parent
    _spec = importlib.util.spec_from_file_location(
        "policies", _PACK_DIR / "__init__.py", submodule_search_locations=[str(_PACK_DIR)]
    )
    assert _spec is not None and _spec.loader is not None
    _package = importlib.util.module_from_spec(_spec)
    sys.modules["policies"] = _package
    _spec.loader.exec_module(_package)

from policies.pack import ALL_POLICIES, DEFAULT_ENFORCEMENT, PACK_DESCRIPTION, PACK_NAME  # noqa: E402

PolicyPack(
    name=PACK_NAME,
    description=PACK_DESCRIPTION,
    policies=ALL_POLICIES,
    enforcement_level=DEFAULT_ENFORCEMENT,
)
