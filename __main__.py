"""The Pulumi program: runs the composition the stack's config asks for.

A primary platform (production, staging) is composed by ``primary.py``; a stack with
``betterprompts:pilotLight`` is a primary's pilot light in the DR Region, composed by
``pilot_light.py`` (docs/dr.md, "Pilot light"). Both only read settings and compose components.
"""

import runpy
from pathlib import Path

from components.settings import is_pilot_light, read_runtime_config

# Run as the language host runs this file: a fresh namespace each time (the offline runs repeat it in one process).
_program = "pilot_light.py" if is_pilot_light(read_runtime_config()) else "primary.py"
runpy.run_path(str(Path(__file__).resolve().with_name(_program)), run_name=_program.removesuffix(".py"))
