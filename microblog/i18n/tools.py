"""`python -m microblog translate init <lang> | update | compile`: Babel's pybabel, wired to our
paths and markers, so nobody needs to remember the flags.

- extract: every string marked with one of KEYWORDS in microblog/ (see babel.cfg) into
  microblog/translations/messages.pot (git-ignored: it is regenerated on each update);
- init: a new language's .po from the template;
- update: extract, then merge the template into every .po (new strings appear untranslated,
  changed ones fuzzy: tests/unit/test_i18n_catalogs.py fails until they are translated);
- compile: every .po to its .mo, and the browser's catalog modules (jsexport.py).
"""

from __future__ import annotations

import contextlib
import io
import os
import tempfile
from pathlib import Path

from babel.messages.frontend import CommandLineInterface
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from microblog.i18n.catalogs import DOMAIN, SUPPORTED, TRANSLATIONS_DIR, catalog
from microblog.i18n.jsexport import write_catalogs_js

PROJECT_ROOT = Path(__file__).resolve().parents[2]
BABEL_CFG = PROJECT_ROOT / "babel.cfg"
POT_FILE = TRANSLATIONS_DIR / f"{DOMAIN}.pot"
# The markers: services' lazy messages, server-side translators, and the UI's Var helpers.
KEYWORDS = ("_l", "_ln:1,2", "_", "_n:1,2", "t", "t_plural:1,2")


def _pybabel(*args: str) -> None:
    # Babel's command-line class is not annotated.
    CommandLineInterface().run(["pybabel", "-q", *args])  # type: ignore[no-untyped-call]


def extract() -> Path:
    POT_FILE.parent.mkdir(parents=True, exist_ok=True)
    keywords = [arg for keyword in KEYWORDS for arg in ("-k", keyword)]
    # File names without line numbers: a translator sees where a string is used, and an
    # unrelated code change does not rewrite every catalog.
    with contextlib.chdir(PROJECT_ROOT):
        _pybabel(
            "extract",
            "-F",
            "babel.cfg",
            "--no-default-keywords",
            *keywords,
            "--add-location=file",
            "--sort-output",
            "--project=Microblog",
            "--no-wrap",
            "-o",
            str(POT_FILE),
            "microblog",
        )
    return POT_FILE


def init(lang: str) -> Path:
    extract()
    _pybabel("init", "-i", str(POT_FILE), "-d", str(TRANSLATIONS_DIR), "-l", lang, "--no-wrap")
    return TRANSLATIONS_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def update() -> None:
    extract()
    _pybabel(
        "update", "-i", str(POT_FILE), "-d", str(TRANSLATIONS_DIR), "--no-wrap", "--ignore-obsolete"
    )


def compile_all() -> list[tuple[Path, bool]]:
    """The .mo files for the server and the catalog modules for the browser, each with whether
    it was written. A file whose content would not change is left alone, mtime and all:
    `make run`'s dev server reloads on any rewritten file, and every `make` target compiles."""
    written = [_compile_mo(lang) for lang in SUPPORTED]
    catalog.cache_clear()
    return [*written, *write_catalogs_js()]


def _compile_mo(lang: str) -> tuple[Path, bool]:
    """One language's .po to its .mo, as `pybabel compile` makes it (fuzzy entries left out),
    written only when the bytes differ, through a temporary file (a reader never sees half)."""
    po_path = TRANSLATIONS_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    mo_path = po_path.with_suffix(".mo")
    with po_path.open("rb") as po_file:
        messages = read_po(po_file, locale=lang)
    out = io.BytesIO()
    write_mo(out, messages, use_fuzzy=False)
    return mo_path, write_if_changed(mo_path, out.getvalue())


def write_if_changed(path: Path, data: bytes) -> bool:
    """Write `data` to `path` unless it holds exactly that already; whether it wrote."""
    if path.exists() and path.read_bytes() == data:
        return False
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return True


def run(action: str, lang: str | None = None) -> int:
    """The CLI's `translate` subcommand; returns the exit status."""
    if action == "init":
        if not lang:
            print("translate init needs a language code, e.g. `translate init fr`")
            return 2
        print(f"Created {init(lang)}; translate it, then run `translate compile`.")
    elif action == "update":
        update()
        print("Catalogs updated; translate the new (and fuzzy) entries, then `translate compile`.")
    else:
        for path, written in compile_all():
            print(f"{'Wrote' if written else 'Unchanged'} {path.relative_to(PROJECT_ROOT)}")
    return 0
