"""The command line stays a package of small command groups (issue 24): no module over 400
lines, no function over 60, and each command registered once, in `habeas --help`'s order."""

from __future__ import annotations

import ast
from pathlib import Path

import habeas.cli

PACKAGE = Path(habeas.cli.__file__).parent


def test_no_module_over_400_lines_nor_function_over_60():
    too_long = []
    for module in sorted(PACKAGE.glob("*.py")):
        source = module.read_text(encoding="utf-8")
        if source.count("\n") > 400:
            too_long.append(module.name)
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                first = min([d.lineno for d in node.decorator_list] + [node.lineno])
                if node.end_lineno - first + 1 > 60:
                    too_long.append(f"{module.name}:{node.name}")
    assert not too_long


def test_every_command_group_has_its_commands():
    groups = {group.name: group.typer_instance for group in habeas.cli.app.registered_groups}
    named = {name: [command.name for command in typer_app.registered_commands] for name, typer_app in groups.items()}
    assert named == {
        "case": ["list", "show", "assign"],
        "law": ["show"],
        "user": ["add", "list", "disable"],
        "checkpoint": ["keygen", "verify"],
    }
    top = [command.name or command.callback.__name__ for command in habeas.cli.app.registered_commands]
    assert top == [
        "init", "simulate", "import", "alerts", "verify", "rebuild", "export", "reads", "report", "serve", "demo"
    ]  # fmt: skip
