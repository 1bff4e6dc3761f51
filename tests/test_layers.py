"""The layers of ARCHITECTURE.md: imports point down only.

Every ``import`` of the package is read with :mod:`ast`, relative imports
resolved to the module they name (``from ...web import security`` in
``compare/qca/x.py`` is ``sociaparis.web.security``), and checked against three
rules:

- **layers**: interfaces (``web/``, ``cli/``) import everything below but not
  each other; a domain imports ``core`` and the other domains that
  :data:`DOMAIN_IMPORTS` allows; ``core`` imports nothing of ours;
- **privacy**: across packages, no module or name with a leading underscore,
  and no domain reads another's tables (``models.py``): it calls its services;
- **purity**: the pure engines (:data:`PURE_ENGINES`) reach no SQLAlchemy or
  Alembic, neither directly nor through a module of ours they import.

The checker takes the folder that holds the package, so the tests at the end
run it on small synthetic trees to show that each rule catches what it should.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "sociaparis"
INTERFACES = frozenset({"web", "cli"})
CORE = "core"

#: domain -> the other domains it may import (all may import ``core``)
DOMAIN_IMPORTS: Mapping[str, frozenset[str]] = {
    "accounts": frozenset(),
    # AI-assisted coding: runs send released documents and read the codings
    # (qual), the AI's agreement computes with qual.agreement and
    # analysis.reliability, role checks take the acting account (accounts)
    "assist": frozenset({"accounts", "analysis", "qual"}),
    # themes: quotes go through qual.pseudonymization
    "analysis": frozenset({"qual"}),
    # the case matrix: cases and codings (qual), answers (survey), role checks;
    # the transport register's counts use the small-cell rule (analysis)
    "compare": frozenset({"accounts", "analysis", "qual", "survey"}),
    # role checks (accounts); agreement computes with analysis.reliability
    "qual": frozenset({"accounts", "analysis"}),
    # estimates and disclosure control (analysis) over instruments and answers;
    # the acting account's role and the audit log (accounts)
    "reports": frozenset({"accounts", "analysis", "survey"}),
    # background jobs run the exports (survey) and reports of an account (accounts),
    # the runs of a suggester (assist) and the search of a document's names
    # before its review (qual)
    "jobs": frozenset({"accounts", "assist", "qual", "reports", "survey"}),
    # fielding progress suppresses small cells with analysis.disclosure; field
    # operations and the monitoring downloads check the acting account's role
    # (accounts)
    "survey": frozenset({"accounts", "analysis"}),
}
#: the Alembic chain: core's engine and Base; 0004 builds the full-text index
#: with the DDL of qual.fts; 0010 the counts' triggers with survey.counts and
#: the kept records with survey.exports
MIGRATION_IMPORTS = frozenset({CORE, "qual", "survey"})

#: pure computation over plain data (ARCHITECTURE.md "Computation is kept apart
#: from persistence"; HOUSE-STYLE 3 and 19): statistics, QCA, agreement, form
#: logic, pseudonymization and the format converters
PURE_ENGINES = (
    "sociaparis.analysis",
    "sociaparis.assist.evaluation",
    "sociaparis.compare.qca",
    "sociaparis.qual.agreement",
    "sociaparis.qual.io",
    "sociaparis.qual.pseudonymization",
    "sociaparis.survey.expressions",
    "sociaparis.survey.io",
    "sociaparis.survey.logic",
    "sociaparis.survey.simulate",
    "sociaparis.survey.xlsform",
    "sociaparis.survey.xpath",
)
DATABASE_LIBRARIES = frozenset({"sqlalchemy", "alembic"})


@dataclass(frozen=True, slots=True)
class Import:
    """One imported module (and name, for ``from m import name``) at a line."""

    source: str
    path: str
    line: int
    target: str
    name: str | None = None

    def __str__(self) -> str:
        target = f"{self.target}.{self.name}" if self.name else self.target
        return f"{self.path}:{self.line}: {self.source} imports {target}"


def _module_names(root: Path, package: str) -> dict[str, Path]:
    """Dotted name -> file, for every module and package under ``root/package``."""
    names = {}
    for path in sorted((root / package).rglob("*.py")):
        parts = path.relative_to(root).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        names[".".join(parts)] = path
    return names


def _base(source: str, path: Path, node: ast.ImportFrom) -> str:
    """The module a ``from`` import reads from, relative imports resolved."""
    if node.level == 0:
        return node.module or ""
    package = source.split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    package = package[: len(package) - (node.level - 1)]
    return ".".join([*package, *([node.module] if node.module else [])])


def imports(root: Path, package: str = PACKAGE) -> Iterator[Import]:
    """Every import in the package, function-level ones included."""
    modules = _module_names(root, package)
    for source, path in modules.items():
        shown = str(path.relative_to(root))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    yield Import(source, shown, node.lineno, alias.name)
            elif isinstance(node, ast.ImportFrom):
                base = _base(source, path, node)
                for alias in node.names:
                    submodule = f"{base}.{alias.name}"
                    if submodule in modules:
                        yield Import(source, shown, node.lineno, submodule)
                    else:
                        yield Import(source, shown, node.lineno, base, alias.name)


def _layer(module: str) -> str:
    """``sociaparis.compare.qca.x`` -> ``compare``; the root package -> ``""``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def _ours(imp: Import, package: str) -> bool:
    return imp.target == package or imp.target.startswith(package + ".")


def _layer_allows(source: str, target: str) -> bool:
    if target in ("", source):
        return True
    if source in INTERFACES or source == "":
        return target not in INTERFACES
    if source == CORE:
        return False
    if source == "migrations":
        return target in MIGRATION_IMPORTS
    if source in DOMAIN_IMPORTS:
        return target == CORE or target in DOMAIN_IMPORTS[source]
    return False


def layer_offences(root: Path, package: str = PACKAGE) -> list[str]:
    """Imports that point up, sideways between interfaces, or off the table."""
    return [
        str(imp)
        for imp in imports(root, package)
        if _ours(imp, package)
        and not _layer_allows(_layer(imp.source), _layer(imp.target))
    ]


def _private(imp: Import) -> bool:
    parts = [*imp.target.split("."), *([imp.name] if imp.name else [])]
    return any(p.startswith("_") and not p.startswith("__") for p in parts)


def privacy_offences(root: Path, package: str = PACKAGE) -> list[str]:
    """Cross-package imports of private modules or names, or of foreign tables."""
    offences = []
    for imp in imports(root, package):
        source, target = _layer(imp.source), _layer(imp.target)
        if not _ours(imp, package) or source == target or target == "":
            continue
        tables = (
            source in DOMAIN_IMPORTS
            and target in DOMAIN_IMPORTS
            and imp.target.split(".")[-1] == "models"
        )
        if _private(imp) or tables:
            offences.append(str(imp))
    return offences


def _is_pure(module: str) -> bool:
    """A module of a pure engine; its ``service``/``models`` modules, if any, are not."""
    last = module.split(".")[-1]
    if last in ("service", "models") or last.endswith("_service"):
        return False
    return any(module == p or module.startswith(p + ".") for p in PURE_ENGINES)


def _with_parents(module: str) -> list[str]:
    """Importing ``a.b.c`` runs ``a``, ``a.b`` and ``a.b.c``."""
    parts = module.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts) + 1)]


def purity_offences(root: Path, package: str = PACKAGE) -> list[str]:
    """Pure-engine modules from which our imports reach a database library."""
    graph: dict[str, set[str]] = {}
    database: dict[str, Import] = {}
    for imp in imports(root, package):
        graph.setdefault(imp.source, set())
        if _ours(imp, package):
            graph[imp.source].update(_with_parents(imp.target))
        elif imp.target.split(".")[0] in DATABASE_LIBRARIES:
            database.setdefault(imp.source, imp)
    offences = []
    for start in sorted(m for m in graph if _is_pure(m)):
        came_from: dict[str, str | None] = dict.fromkeys(_with_parents(start))
        queue = list(came_from)
        while queue:
            module = queue.pop(0)
            if module in database:
                chain = [module]
                while (previous := came_from[chain[-1]]) is not None:
                    chain.append(previous)
                via = " -> ".join(reversed(chain))
                offences.append(f"{start} reaches {database[module]} (via {via})")
                break
            for nxt in sorted(graph.get(module, ())):
                if nxt in graph and nxt not in came_from:
                    came_from[nxt] = module
                    queue.append(nxt)
    return offences


# --------------------------------------------------------------------- the tree


def test_layers_follow_the_table() -> None:
    assert layer_offences(ROOT) == []


def test_no_private_module_or_foreign_table_across_packages() -> None:
    assert privacy_offences(ROOT) == []


def test_pure_engines_reach_no_database_library() -> None:
    assert purity_offences(ROOT) == []


def test_the_table_holds_only_pairs_in_use() -> None:
    used = {
        (_layer(imp.source), _layer(imp.target))
        for imp in imports(ROOT)
        if _ours(imp, PACKAGE)
    }
    allowed = {(d, o) for d, others in DOMAIN_IMPORTS.items() for o in others}
    allowed |= {("migrations", t) for t in MIGRATION_IMPORTS}
    assert allowed - used == set()


def test_every_package_is_in_the_table() -> None:
    layers = {_layer(m) for m in _module_names(ROOT, PACKAGE)} - {""}
    known = INTERFACES | {CORE, "migrations"} | set(DOMAIN_IMPORTS)
    assert layers - known == set()


def test_models_modules_hold_tables_and_nothing_is_called_model() -> None:
    """One naming rule (docs/architecture.md): ``models.py`` holds a package's
    tables only; plain dataclasses live in modules named for what they hold."""
    import importlib
    import inspect

    from sociaparis.core.db import Base

    source = ROOT / PACKAGE
    assert (
        sorted(p.relative_to(source).as_posix() for p in source.rglob("model.py")) == []
    )
    for path in source.rglob("models.py"):
        name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        module = importlib.import_module(name)
        classes = [
            value
            for value in vars(module).values()
            if inspect.isclass(value) and value.__module__ == name
        ]
        assert classes, name
        assert [c.__name__ for c in classes if not issubclass(c, Base)] == [], name


def test_pure_engines_exist() -> None:
    modules = _module_names(ROOT, PACKAGE)
    assert [p for p in PURE_ENGINES if p not in modules] == []


# ------------------------------------------------------------ synthetic trees

_SECURITY = {"web/security.py": "def check() -> None: ...\n"}
_SERVICE = {"survey/service.py": "from sqlalchemy import select\n"}


@pytest.mark.parametrize(
    ("files", "rule", "offence"),
    [
        # relative imports across layers
        (
            {"compare/qca/minimize.py": "from ...web import security\n", **_SECURITY},
            layer_offences,
            "sociaparis.compare.qca.minimize imports sociaparis.web.security",
        ),
        (
            {"compare/qca/minimize.py": "from ... import web\n", **_SECURITY},
            layer_offences,
            "sociaparis.compare.qca.minimize imports sociaparis.web",
        ),
        (
            {"compare/qca/__init__.py": "from ...web.security import check\n"}
            | _SECURITY,
            layer_offences,
            "sociaparis.compare.qca imports sociaparis.web.security.check",
        ),
        (
            {"core/config.py": "from ..survey import logic\n", "survey/logic.py": ""},
            layer_offences,
            "sociaparis.core.config imports sociaparis.survey.logic",
        ),
        # between domains, absolute and relative, function-level too
        (
            {
                "qual/agreement.py": "def f():\n    from ..compare.qca import x\n",
                "compare/qca/x.py": "",
            },
            layer_offences,
            "sociaparis.qual.agreement imports sociaparis.compare.qca.x",
        ),
        (
            {"accounts/roles.py": "import sociaparis.survey.logic\n"}
            | {"survey/logic.py": ""},
            layer_offences,
            "sociaparis.accounts.roles imports sociaparis.survey.logic",
        ),
        # interfaces are twins: neither imports the other
        (
            {"web/app.py": "from ..cli import main\n", "cli/main.py": ""},
            layer_offences,
            "sociaparis.web.app imports sociaparis.cli.main",
        ),
        # a package nobody put in the table
        (
            {"harvest/suggest.py": "from ..core import errors\n", "core/errors.py": ""},
            layer_offences,
            "sociaparis.harvest.suggest imports sociaparis.core.errors",
        ),
        # privacy
        (
            {
                "compare/matrix/sources.py": "from ...qual.io._refi_reader import R\n",
                "qual/io/_refi_reader.py": "",
            },
            privacy_offences,
            "sociaparis.compare.matrix.sources imports sociaparis.qual.io._refi_reader.R",
        ),
        (
            {
                "compare/matrix/sources.py": "from ...qual.service import _case\n",
                "qual/service.py": "",
            },
            privacy_offences,
            "sociaparis.compare.matrix.sources imports sociaparis.qual.service._case",
        ),
        (
            {
                "qual/corpus.py": "from sociaparis.accounts.models import User\n",
                "accounts/models.py": "",
            },
            privacy_offences,
            "sociaparis.qual.corpus imports sociaparis.accounts.models.User",
        ),
        # purity: directly, and through a module of ours
        (
            {"survey/logic.py": "from sqlalchemy.orm import Session\n"},
            purity_offences,
            "sociaparis.survey.logic reaches sociaparis/survey/logic.py:1: "
            "sociaparis.survey.logic imports sqlalchemy.orm.Session "
            "(via sociaparis.survey.logic)",
        ),
        (
            {"survey/logic.py": "from . import service\n", **_SERVICE},
            purity_offences,
            "sociaparis.survey.logic reaches sociaparis/survey/service.py:1: "
            "sociaparis.survey.service imports sqlalchemy.select "
            "(via sociaparis.survey.logic -> sociaparis.survey.service)",
        ),
        (
            {"compare/qca/x.py": "", "compare/qca/__init__.py": "import sqlalchemy\n"},
            purity_offences,
            "sociaparis.compare.qca reaches sociaparis/compare/qca/__init__.py:1: "
            "sociaparis.compare.qca imports sqlalchemy (via sociaparis.compare.qca)",
        ),
    ],
)
def test_the_checker_catches(
    tmp_path: Path, files: dict[str, str], rule: object, offence: str
) -> None:
    _write_tree(tmp_path, files)
    found = rule(tmp_path)  # type: ignore[operator]
    assert any(o.endswith(offence) or o.startswith(offence) for o in found), found


@pytest.mark.parametrize(
    "files",
    [
        {"compare/qca/minimize.py": "from .. import models\n", "compare/models.py": ""},
        {"compare/matrix/x.py": "from ...qual.service import get_case\n"}
        | {"qual/service.py": ""},
        {"survey/logic.py": "from .xpath import parse\n", "survey/xpath/parse.py": ""},
        {"qual/service.py": "from sqlalchemy import select\n"},
        {"reports/render.py": "from sociaparis import __version__\n"},
    ],
)
def test_the_checker_lets_pass(tmp_path: Path, files: dict[str, str]) -> None:
    _write_tree(tmp_path, files)
    found = [
        *layer_offences(tmp_path),
        *purity_offences(tmp_path),
        *privacy_offences(tmp_path),
    ]
    assert found == []


def _write_tree(root: Path, files: dict[str, str]) -> None:
    """``root/sociaparis/...`` with an ``__init__.py`` in every folder."""
    for name, text in files.items():
        path = root / PACKAGE / name
        path.parent.mkdir(parents=True, exist_ok=True)
        for folder in [path.parent, *path.parent.parents]:
            if folder == root:
                break
            (folder / "__init__.py").touch()
        path.write_text(text, encoding="utf-8")
