"""The rule engine: compiles a knowledge base's rules into an experta network and runs it, one run per person.

The only package of calcitriage that imports experta. `compat` is imported here, before any module of this
package can import experta, because experta 1.9.4 cannot be imported on Python 3.10+ without its fix; so the
order of the import lines inside the modules (which ruff sorts) never matters.
"""

from triage.rete import compat as _compat  # noqa: F401  (first: makes experta importable)
