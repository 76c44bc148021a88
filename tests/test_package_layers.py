"""The packages depend downward only (docs/decisions/012-packages-depend-downward.md).

Every ``import`` in ``src/carelens`` — at the top of a module or inside a function, where the
command line and the readers import lazily — is read with :mod:`ast`, and each import of another
CareLens package must go to a lower layer. So the readers (``ingest``) and the writers
(``returns``) never import each other, ``model`` imports neither, the published figures do not
import the report, and nothing imports the command line.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"

LAYERS: dict[str, int] = {
    # 0: foundations every package may use; they import no other CareLens package
    "collection_years": 0,
    "problems": 0,
    "path_problems": 0,
    # statistical process control and disclosure control: arithmetic on series and tables, nothing else
    "spc": 0,
    "disclosure": 0,
    # 1: the store's model, and the DfE's specifications of the returns
    "model": 1,
    "return_specs": 1,
    # 2: what reads, writes, makes or measures the store's data
    "ingest": 2,
    "returns": 2,
    "synth": 2,
    "indicators": 2,
    # 3: the published DfE and ONS figures, and comparisons of an authority with them
    "published": 3,
    # charts of indicator results (and control limits), shared by the report and the web app
    "charts": 3,
    # 4: the demand, cost and workforce forecast: reads the store, the figures (caseloads) and the published population
    "forecast": 4,
    # 5: what a council reads: the store's figures, the published ones and the forecast put together. Above the
    # forecast since issue 17, whose forecast section of the monthly report is drawn from carelens.forecast's
    # projection (the forecast never imports the report)
    "report": 5,
    # 6: the web application (Django), over the report, the charts and the figures
    "web": 6,
    # 7: the demo, which runs the whole job on synthetic data (synth, returns, ingest, report) and serves the app
    "demo": 7,
    # 8: the command line, over everything
    "cli": 8,
}


def _imports() -> list[tuple[str, str, str, str]]:
    """(importing package, imported package, where) for every import of one package by another."""
    found = []
    for path in sorted((SRC / "carelens").rglob("*.py")):
        parts = path.relative_to(SRC).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        if len(parts) < 2:  # carelens/__init__.py itself
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:  # relative: resolve against the importing module's package
                    base = parts[: len(parts) - node.level + (path.name == "__init__.py")]
                    modules = [".".join((*base, *([node.module] if node.module else [])))]
                else:
                    modules = [node.module or ""]
            else:
                continue
            for module in modules:
                target = module.split(".")
                if target[0] == "carelens" and len(target) > 1 and target[1] != parts[1]:
                    found.append((parts[1], target[1], f"{'/'.join(parts)}.py line {node.lineno}", module))
    return found


def test_every_package_has_a_layer():
    packages = {p.stem if p.is_file() else p.name for p in (SRC / "carelens").iterdir()
                if (p.suffix == ".py" and p.stem != "__init__") or (p / "__init__.py").is_file()}
    assert packages == set(LAYERS), "give a new package its layer here and in decision 012"


def test_packages_import_only_lower_layers():
    upward = [f"{where}: {source} imports {target}" for source, target, where, _ in _imports()
              if LAYERS[target] >= LAYERS[source]]
    assert not upward


@pytest.mark.parametrize(("source", "forbidden"), [
    ("ingest", "returns"), ("returns", "ingest"), ("model", "ingest"), ("model", "returns"),
    ("published", "report"), ("indicators", "report"),
])
def test_named_directions(source, forbidden):
    assert not [where for s, t, where, _ in _imports() if (s, t) == (source, forbidden)]


def test_nothing_imports_the_command_line():
    assert not [where for _, target, where, _ in _imports() if target == "cli"]


def test_figures_are_got_only_through_the_indicators_api():
    # decision 018: the report, the web app, the published-figures comparisons and the command line ask
    # carelens.indicators.api, never the engine, the catalogue's modules or the cache behind it
    found = [(where, module) for _, target, where, module in _imports() if target == "indicators"]
    assert found, "the walk finds the imports of the indicators package"
    assert [f"{where}: {module}" for where, module in found if module != "carelens.indicators.api"] == []


def test_the_check_sees_lazy_imports():
    # the command line imports the writers inside its commands: the walk must find those
    assert any((s, t) == ("cli", "returns") for s, t, _, _ in _imports())


def test_a_catalogue_section_imports_no_other_section():
    """What sections share (episodes in force, counts in a year, dates) is in modules named for it, so
    that a section can change without another, or the forecast, depending on its private helpers."""
    from carelens.indicators.catalogue import SECTIONS

    sections = {module.__name__ for _, _, module in SECTIONS}
    borrowed = []
    for _, _, module in SECTIONS:
        for node in ast.walk(ast.parse(Path(module.__file__).read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module in sections - {module.__name__}:
                borrowed.append(f"{module.__name__} imports {node.module}")
    assert not borrowed


def test_the_report_reads_no_table_of_the_store_itself():
    """The report (issue 15) reads figures only through the results API and the published figures: no module of
    carelens.report reads a store table or runs SQL (Store methods that say what the store holds — its teams,
    its authorities — are the store's own API)."""
    reads = []
    for path in sorted((SRC / "carelens" / "report").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                    and node.func.attr in ("table", "sql", "to_polars", "reader"):
                reads.append(f"{path.relative_to(SRC)} line {node.lineno}: .{node.func.attr}()")
    assert not reads


def test_only_the_web_app_imports_django():
    """Django is the web app's: nothing else in CareLens imports it, so the store, figures and report run
    without it (issue 16)."""
    found = []
    for path in sorted((SRC / "carelens").rglob("*.py")):
        if path.is_relative_to(SRC / "carelens" / "web"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            found += [f"{path.relative_to(SRC)} line {node.lineno}" for n in names if n.split(".")[0] == "django"]
    assert not found
