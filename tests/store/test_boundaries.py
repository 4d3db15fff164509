"""Personal data leaves the store only through the governance gate.

`tahqiq.store.reads` is the only module that reads personal data; only `tahqiq.govern` may import it.
Everything else gets data from `tahqiq.govern.Gate.session(...)`, which checks and audits each read.
"""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).parents[2] / "src" / "tahqiq"
READS = "tahqiq.store.reads"


def _imports_reads(tree: ast.AST, module: str) -> list[int]:
    package = module.rsplit(".", 1)[0]
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            if any(a.name == READS or a.name.startswith(READS + ".") for a in node.names):
                lines.append(node.lineno)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative import: resolve against this module's package
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1] + ([base] if base else []))
            if base == READS or base.startswith(READS + "."):
                lines.append(node.lineno)
            elif base == "tahqiq.store" and any(a.name == "reads" for a in node.names):
                lines.append(node.lineno)
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) in (
            "import_module", "__import__"
        ):
            if any(isinstance(a, ast.Constant) and a.value == READS for a in node.args):
                lines.append(node.lineno)
    return lines


def test_only_the_gate_imports_store_reads():
    offenders = []
    for path in SRC.rglob("*.py"):
        rel = path.relative_to(SRC.parent)
        module = ".".join(rel.with_suffix("").parts)
        if module.startswith(("tahqiq.govern.", READS + ".")) or module in ("tahqiq.govern", READS):
            continue
        for line in _imports_reads(ast.parse(path.read_text(encoding="utf-8")), module):
            offenders.append(f"{rel}:{line}")
    assert not offenders, (
        "these modules read personal data around the governance gate; use tahqiq.govern.Gate.session(...):\n  "
        + "\n  ".join(offenders)
    )


def test_the_check_catches_the_usual_spellings():
    for src in ("import tahqiq.store.reads", "from tahqiq.store import reads",
                "from tahqiq.store.reads import get_entities",
                "import importlib; importlib.import_module('tahqiq.store.reads')"):
        assert _imports_reads(ast.parse(src), "tahqiq.feature.x"), src
    assert _imports_reads(ast.parse("from ..store import reads"), "tahqiq.feature.x")
    assert _imports_reads(ast.parse("from . import reads"), "tahqiq.store.x")
    assert not _imports_reads(ast.parse("from tahqiq.store import tables"), "tahqiq.feature.x")
