"""Layers point one way: seams <- augment, voices <- synth (prompts -> plan -> render -> write ->
export on top). Read from the source with ast, every import (inside functions too) counted.

A package's `__main__.py` is an entry point: it may import the layer above (``python -m voices``
runs synth's availability check), and no module may import it.
"""

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
# a package may import itself and the packages listed for it, nothing else of ours
MAY_IMPORT = {"seams": set(), "augment": {"seams"}, "voices": {"seams"}, "synth": {"seams", "augment", "voices"}}
# synth's parts that render or run: nothing below them may reach up into them
SYNTH_TOP = ("synth.run", "synth.run_parts", "synth.render", "synth.cli", "synth.commands", "synth.merge")


def _modules() -> dict[str, Path]:
    return {
        ".".join(p.relative_to(REPO).with_suffix("").parts).removesuffix(".__init__"): p
        for top in MAY_IMPORT
        for p in (REPO / top).rglob("*.py")
    }


def _imports(module: str, path: Path) -> set[str]:
    found = set()
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from the package, up level-1
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1] + ([base] if base else []))
            found.add(base)
            found |= {f"{base}.{alias.name}" for alias in node.names}  # `from synth import run`
    return {name for name in found if name.split(".")[0] in MAY_IMPORT}


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    return {m: {i for i in _imports(m, p) if i in modules} for m, p in modules.items()}


def _package(module: str) -> str:
    return module.split(".")[0]


def test_each_package_imports_only_the_layers_below_it():
    wrong = [
        f"{m} imports {i}"
        for m, imported in _graph().items()
        if not m.endswith(".__main__")
        for i in imported
        if _package(i) != _package(m) and _package(i) not in MAY_IMPORT[_package(m)]
    ]
    assert wrong == []


def test_no_module_imports_an_entry_point():
    assert [f"{m} imports {i}" for m, imported in _graph().items() for i in imported if i.endswith(".__main__")] == []


def test_synth_parts_below_the_run_do_not_reach_up_into_it():
    """Engines, executors, exporters and the records do not import the run loop or the renderer."""
    below = ("synth.engines", "synth.executors", "synth.exporters", "synth.manifest", "synth.corpus", "synth.plan")
    wrong = [
        f"{m} imports {i}"
        for m, imported in _graph().items()
        if m.startswith(below)
        for i in imported
        if i.startswith(SYNTH_TOP)
    ]
    assert wrong == []


def _cycles(unit) -> list[str]:
    """Import cycles between the units `unit(module)` names (None: a module left out)."""
    edges: dict[str, set[str]] = {}
    for m, imported in _graph().items():
        if m.endswith(".__main__") or unit(m) is None:
            continue
        edges.setdefault(unit(m), set()).update(unit(i) for i in imported if unit(i) not in (None, unit(m)))
    cycles: list[str] = []

    def visit(node: str, path: list[str]) -> None:
        for nxt in sorted(edges.get(node, ())):
            if nxt in path:
                cycles.append(" -> ".join(path[path.index(nxt) :] + [nxt]))
            else:
                visit(nxt, path + [nxt])

    for start in sorted(edges):
        visit(start, [start])
    return cycles


def test_no_import_cycle_between_packages():
    assert _cycles(_package) == []


def test_no_import_cycle_between_synths_subpackages():
    """synth.engines, synth.executors, synth.exporters, synth.audit…: none imports one that imports it
    back (synth's flat modules, shared by all of them, are left out)."""

    def subpackage(module: str) -> str | None:
        parts = module.split(".")
        return ".".join(parts[:2]) if parts[0] == "synth" and (REPO / "synth" / parts[1]).is_dir() else None

    assert _cycles(lambda m: subpackage(m) if len(m.split(".")) > 1 else None) == []


def test_the_cycle_check_finds_a_cycle(monkeypatch):
    graph = _graph()
    graph["augment.step"].add("synth.run")  # augment -> synth -> augment
    monkeypatch.setitem(globals(), "_graph", lambda: graph)  # the real graph with one import planted
    assert "augment -> synth -> augment" in _cycles(_package)


def test_the_graph_sees_real_imports():
    """The check cannot pass by reading nothing: known imports are in the graph."""
    graph = _graph()
    assert "synth.render" in graph["synth.run"] and "augment.babble" in graph["synth.talkers"]
    assert "seams" in graph["augment.step"] and "synth.voice_selection" in graph["voices.__main__"]
