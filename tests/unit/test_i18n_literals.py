"""No user-visible English written as a literal in pages and components: text goes through
`t(...)`/`t_plural(...)` (components/i18n.py), so it is in the catalogs and follows the reader's
language. A new `rx.button("Save")` fails here with its file and line."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "microblog"
# Calls whose positional string arguments are shown to the reader.
TEXT_CALLS = {
    "text",
    "button",
    "link",
    "heading",
    "callout",
    "badge",
    "label",
    "strong",
    "em",
    "option",
    "tooltip",
    "span",
    "p",
    "toast",
    "success",
    "error",
    "info",
    "warning",
}
# Keyword arguments shown to the reader (or read out by screen readers).
TEXT_KEYWORDS = {
    "label",
    "placeholder",
    "aria_label",
    "title",
    "submit_label",
    "empty_text",
    "message",
    "alt",
}
# Not words to translate: the product's name.
ALLOWED = {"Microblog"}
# Files not checked yet (written while the catalogs were being built): convert, then remove here.
PENDING: set[str] = set()


def _call_name(node: ast.Call) -> str:
    func = node.func
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return ""


def _is_words(node: ast.AST) -> bool:
    if isinstance(node, ast.JoinedStr):
        return any(_is_words(value) for value in node.values)
    return (
        isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and any(char.isalpha() for char in node.value)
        and node.value.strip() not in ALLOWED
    )


def literal_text(source: str, filename: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source, filename=filename)):
        if not isinstance(node, ast.Call):
            continue
        name = _call_name(node)
        where = f"{filename}:{node.lineno}"
        if name in TEXT_CALLS:
            found += [f"{where} {name}({ast.unparse(a)})" for a in node.args if _is_words(a)]
        for keyword in node.keywords:
            if keyword.arg in TEXT_KEYWORDS and _is_words(keyword.value):
                found.append(f"{where} {keyword.arg}={ast.unparse(keyword.value)}")
        if name == "cond":  # rx.cond(flag, "Unfollow", "Follow"), not rx.cond(flag, "solid", ...)
            found += [
                f"{where} cond({ast.unparse(a)})"
                for a in node.args[1:]
                if _is_words(a) and not (isinstance(a, ast.Constant) and a.value.islower())
            ]
    return found


def test_no_literal_user_visible_text_in_pages_and_components() -> None:
    files = sorted((PACKAGE / "pages").glob("*.py")) + sorted((PACKAGE / "components").glob("*.py"))
    offences = [
        offence
        for path in files
        if str(path.relative_to(PACKAGE.parent)) not in PENDING
        for offence in literal_text(path.read_text(), str(path.relative_to(PACKAGE.parent)))
    ]
    assert offences == [], "wrap these in t(...) and run `python -m microblog translate update`"


def test_the_check_sees_a_literal() -> None:
    sample = 'rx.button("Save", aria_label="Save it")\nrx.cond(x, "A", t("B"))\nrx.text(" ")\n'
    assert literal_text(sample, "sample.py") == [
        "sample.py:1 button('Save')",
        "sample.py:1 aria_label='Save it'",
        "sample.py:2 cond('A')",
    ]
