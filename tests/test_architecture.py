"""Boundaries between domains (docs/architecture.md): checked on every test run."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "guanxi"
DOMAINS = sorted(
    p.name for p in PACKAGE.iterdir() if (p / "apps.py").exists() and p.name != "config"
)
PRESENTATION = ("views", "api", "tasks", "urls", "forms", "panels", "nav")


def presentation_modules(app: str):
    root = PACKAGE / app
    for path in root.rglob("*.py"):
        relative = path.relative_to(root)
        if relative.parts[0] in {"tests", "migrations", "management"}:
            continue
        if relative.parts[0].removesuffix(".py") in PRESENTATION:
            yield path


def imported_modules(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module
            yield from (f"{node.module}.{alias.name}" for alias in node.names)


def test_every_domain_exists_with_the_same_skeleton():
    expected = {
        "core", "staff", "customers", "catalog", "orders", "loyalty",
        "analytics", "marketing", "sales", "service",
    }  # fmt: skip
    assert set(DOMAINS) == expected
    for app in DOMAINS:
        for part in ("apps.py", "models.py", "tasks.py", "migrations", "tests", "api"):
            assert (PACKAGE / app / part).exists(), f"{app} lacks {part}"
        for layer in ("services", "selectors"):
            module, package = PACKAGE / app / f"{layer}.py", PACKAGE / app / layer
            assert module.exists() or (package / "__init__.py").exists(), f"{app} lacks {layer}"


@pytest.mark.parametrize("app", DOMAINS)
def test_views_api_and_tasks_do_not_import_another_domains_models(app):
    offenders = []
    for path in presentation_modules(app):
        for module in imported_modules(path):
            parts = module.split(".")
            if (
                len(parts) >= 3
                and parts[0] == "guanxi"
                and parts[1] in DOMAINS
                and parts[1] != app
                and parts[2] == "models"
                and parts[1] != "core"  # core's shared models (audit, jobs) are for everyone
            ):
                offenders.append(f"{path.relative_to(PACKAGE)} imports {module}")
    assert offenders == []


def test_import_linter_layers_contract_is_kept():
    result = subprocess.run(
        [str(Path(sys.executable).with_name("lint-imports"))],
        capture_output=True,
        text=True,
        check=False,
        cwd=PACKAGE.parent.parent,
    )
    assert result.returncode == 0, result.stdout + result.stderr
