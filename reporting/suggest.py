"""Suggested step definitions for undefined steps."""

from __future__ import annotations

import re

_TOKEN = re.compile(r'"(?P<quoted>[^"]*)"|<(?P<param>[^<>]+)>|(?P<number>(?<![\w.])-?\d+(?![\w.]))')


def _literal(text: str) -> str:
    """A Python string literal, single-quoted when that avoids escapes."""
    if '"' in text and "'" not in text and "\\" not in text:
        return f"'{text}'"
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _unique(base: str, seen: list[str]) -> str:
    name = re.sub(r"\W+", "_", base).strip("_").lower() or "value"
    if name[0].isdigit():
        name = f"_{name}"
    candidate, n = name, 2
    while candidate in seen or candidate in {"datatable", "docstring"}:
        candidate, n = f"{name}_{n}", n + 1
    seen.append(candidate)
    return candidate


def suggest_step_definition(
    step_type: str, text: str, *, datatable: bool = False, docstring: bool = False
) -> str:
    """Python source of a step definition that would match ``text``.

    Quoted strings become ``"{text}"``, integers ``{number:d}`` and outline placeholders
    ``<name>`` become ``{name}``; with any of them the stub uses ``parsers.parse``.
    """
    pattern: list[str] = []
    args: list[str] = []
    names: list[str] = []
    position = 0
    for match in _TOKEN.finditer(text):
        pattern.append(text[position : match.start()].replace("{", "{{").replace("}", "}}"))
        position = match.end()
        if match.group("number") is not None:
            name = _unique("number", names)
            pattern.append(f"{{{name}:d}}")
            args.append(f"{name}: int")
        elif match.group("param") is not None:
            name = _unique(match.group("param"), names)
            pattern.append(f"{{{name}}}")
            args.append(f"{name}: str")
        else:
            quoted = match.group("quoted")
            inner = re.fullmatch(r"<([^<>]+)>", quoted)
            name = _unique(inner.group(1) if inner else "text", names)
            pattern.append(f'"{{{name}}}"')
            args.append(f"{name}: str")
    pattern.append(text[position:].replace("{", "{{").replace("}", "}}"))
    decorator = step_type if step_type in {"given", "when", "then"} else "step"
    matcher = f"parsers.parse({_literal(''.join(pattern))})" if args else _literal(text)
    if datatable:
        args.append("datatable: list[list[str]]")
    if docstring:
        args.append("docstring: str")
    return (
        f"@{decorator}({matcher})\ndef _({', '.join(args)}) -> None:\n    raise NotImplementedError"
    )
