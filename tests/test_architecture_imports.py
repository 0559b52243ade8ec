"""The layout is the architecture: what `make lint`'s import contracts do not cover.

import-linter (``[tool.importlinter]`` in pyproject.toml, run by ``make lint``) checks which
package may import which and that there are no cycles. What it cannot see is a *name*: a
``_private`` function imported from another module is a hidden dependency on something its
owner is free to change. This test walks the source tree and fails on one.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("portal", "desk", "services", "channels", "search", "reports", "api")


def private_imports(source: str) -> list[str]:
    """Every ``from x import _name`` and ``import x._module`` in ``source``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level == 0 and any(_is_private(part) for part in module.split(".")):
                found.append(f"from {module} import …")
            found += [
                f"from {'.' * node.level}{module} import {alias.name}"
                for alias in node.names
                if _is_private(alias.name)
            ]
        elif isinstance(node, ast.Import):
            found += [
                f"import {alias.name}"
                for alias in node.names
                if any(_is_private(part) for part in alias.name.split("."))
            ]
    return found


def _is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def source_files():
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


def test_the_checker_finds_what_it_looks_for():
    planted = (
        "from services.sla import _bank_holidays\n"
        "from services.actions.cases import change_status, _apply_status\n"
        "import channels._secret\n"
        "from . import _helper\n"
        "from django.conf import settings\n"
        "from portal import __version__\n"
    )
    assert private_imports(planted) == [
        "from services.sla import _bank_holidays",
        "from services.actions.cases import _apply_status",
        "import channels._secret",
        "from . import _helper",
    ]


@pytest.mark.parametrize("package", PACKAGES)
def test_no_private_name_is_imported_from_another_module(package):
    if not (ROOT / package).is_dir():
        pytest.skip(f"{package}/ does not exist")
    problems = [
        f"{path.relative_to(ROOT)}: {line}"
        for path in source_files()
        if path.relative_to(ROOT).parts[0] == package
        for line in private_imports(path.read_text())
    ]
    assert problems == [], "make the name public (and document it) or move the code:\n" + "\n".join(
        problems
    )
