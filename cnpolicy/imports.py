"""Keep torch out of processes that use only spaCy's rule-based parts: thinc, spaCy's machine-
learning layer, imports torch on its own import whenever torch is installed (here 1.2 s and
~850 MB), to offer torch models that cnpolicy's pipeline never builds."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from importlib.abc import MetaPathFinder
from importlib.machinery import ModuleSpec
from types import ModuleType

__all__ = ["THINC_PROBE", "keep_torch_from_thinc"]

# The module whose import probes for torch (thinc 8.x: `try: import torch … except ImportError`),
# and the name it defines once the probe is over; after that, torch imports as usual.
THINC_PROBE = "thinc.compat"
PROBE_DONE = "has_torch"


class _TorchKeptFromThinc(MetaPathFinder):
    """Answers "not installed" to thinc's probe for torch, and nothing to any other import."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None = None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        if fullname == "torch" and _thinc_is_probing():
            raise ModuleNotFoundError("torch is not loaded for thinc by cnpolicy", name=fullname)
        return None


def _thinc_is_probing() -> bool:
    probe = sys.modules.get(THINC_PROBE)
    return probe is not None and not hasattr(probe, PROBE_DONE)


def keep_torch_from_thinc() -> None:
    """From now on in this process, thinc finds no torch when it is first imported (spaCy then
    runs without torch models); torch itself still imports wherever it is asked for, as the
    neural recogniser's transformers does. Does nothing once thinc is loaded; called once by a
    process's entry point (the CLI), never by the library, whose users' spaCy is left as is."""
    if THINC_PROBE not in sys.modules and not any(
        isinstance(finder, _TorchKeptFromThinc) for finder in sys.meta_path
    ):
        sys.meta_path.insert(0, _TorchKeptFromThinc())
