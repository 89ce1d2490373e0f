"""The architecture, checked: Telegram's types stop at bot/telegram/, the domain stands alone,
and the desk's use cases never reach into the Telegram edge."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "bot"


def imported_modules(path: Path) -> set[str]:
    """Every module a file imports (absolute names), wherever in the file the import is."""
    modules: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"), str(path))):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules.add(node.module)
    return modules


def modules_under(folder: str = "") -> dict[str, set[str]]:
    root = PACKAGE / folder if folder else PACKAGE
    return {
        str(path.relative_to(PACKAGE.parent)): imported_modules(path)
        for path in sorted(root.rglob("*.py"))
    }


def importing(prefix: str, modules: dict[str, set[str]]) -> list[str]:
    return [
        f"{path} imports {name}"
        for path, names in modules.items()
        for name in sorted(names)
        if name == prefix or name.startswith(prefix + ".")
    ]


def test_only_bot_telegram_imports_telegram() -> None:
    outside = {
        path: names
        for path, names in modules_under().items()
        if not path.startswith("bot/telegram/")
    }
    assert outside, "found no modules to check"
    assert importing("telegram", outside) == []


def test_the_domain_imports_nothing_else_of_ours() -> None:
    offenders = [
        line
        for line in importing("bot", modules_under("domain"))
        if not line.split(" imports ")[1].startswith("bot.domain")
    ]
    assert offenders == []


def test_use_cases_and_storage_never_reach_the_telegram_edge() -> None:
    for folder in ("desk", "store", "outbox", "render", "config", "domain"):
        assert importing("bot.telegram", modules_under(folder)) == [], folder


MAX_FILE_LINES = 500
MAX_CLASS_LINES = 300


def test_no_module_or_class_grows_into_a_container() -> None:
    too_big: list[str] = []
    for path in sorted(PACKAGE.rglob("*.py")):
        text = path.read_text("utf-8")
        lines = text.count("\n") + 1
        if lines > MAX_FILE_LINES:
            too_big.append(f"{path.relative_to(PACKAGE.parent)}: {lines} lines")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.ClassDef) and node.end_lineno is not None:
                size = node.end_lineno - node.lineno + 1
                if size > MAX_CLASS_LINES:
                    too_big.append(f"{path.relative_to(PACKAGE.parent)}: class {node.name} {size}")
    assert too_big == []
