"""The catalogs are complete and consistent with the code: every marked string is in every
language, translated, not fuzzy, with the same placeholders; the browser's copy is generated from
them; and server-side translation follows each language's plural rules."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from microblog.i18n import Message, _l, _ln, translate, translators
from microblog.i18n import catalogs as catalogs_module
from microblog.i18n.catalogs import SUPPORTED, po_path
from microblog.i18n.jsexport import catalog_entries, plural_js, render_modules
from microblog.i18n.tools import KEYWORDS

PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def load(lang: str) -> Catalog:
    with po_path(lang).open("rb") as handle:
        return read_po(handle, locale=lang)


def placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


@pytest.mark.parametrize("lang", SUPPORTED)
def test_catalog_is_complete_and_not_fuzzy(lang: str) -> None:
    catalog = load(lang)
    assert not catalog.fuzzy
    problems = []
    for message in catalog:
        if not message.id:
            continue
        forms = message.string if message.pluralizable else (message.string,)
        if message.fuzzy:
            problems.append(f"fuzzy: {message.id!r}")
        if not all(forms):
            problems.append(f"untranslated: {message.id!r}")
    assert problems == []


@pytest.mark.parametrize("lang", SUPPORTED)
def test_translations_keep_the_placeholders(lang: str) -> None:
    problems = []
    for message in load(lang):
        if not message.id:
            continue
        if message.pluralizable:
            allowed = placeholders(message.id[0]) | placeholders(message.id[1])
            for form in message.string:
                # A form may leave out the count ("en el próximo minuto"), never add a name.
                if not placeholders(form) <= allowed or not placeholders(form) >= allowed - {"num"}:
                    problems.append((message.id, form))
        elif placeholders(message.string) != placeholders(message.id):
            problems.append((message.id, message.string))
    assert problems == []


def test_every_language_has_the_same_messages() -> None:
    ids = {
        lang: {m.id if isinstance(m.id, str) else m.id[0] for m in load(lang)} for lang in SUPPORTED
    }
    assert ids["es"] == ids["en"] == ids["zh"]


def test_catalogs_hold_every_string_the_code_marks(tmp_path: Path) -> None:
    """`translate update` would add nothing: no marked string is missing from the catalogs, and
    none is left over from code that is gone."""
    from babel.messages.extract import extract_from_dir

    keywords: dict[str, tuple[int, ...] | None] = {}
    for keyword in KEYWORDS:
        name, _, spec = keyword.partition(":")
        keywords[name] = tuple(int(n) for n in spec.split(",")) if spec else None
    root = Path(__file__).resolve().parents[2]
    marked = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(root / "microblog"),
        method_map=[("**.py", "python")],
        keywords=keywords,
        comment_tags=(),
        strip_comment_tags=True,
    ):
        marked.add(message if isinstance(message, str) else message[0])
    in_catalog = {m.id if isinstance(m.id, str) else m.id[0] for m in load("en")} - {""}
    assert marked - in_catalog == set(), "run `python -m microblog translate update`"
    assert in_catalog - marked == set(), "run `python -m microblog translate update`"


def test_server_side_translation_with_params_and_plurals() -> None:
    message = _l("Hi, %(username)s!", username="ana")
    assert message == "Hi, ana!"  # reads as English where a plain string is expected
    assert translate(message, "es") == "¡Hola, ana!"
    assert translate(message, "zh") == "你好，ana！"  # noqa: RUF001 (Chinese punctuation)
    one = _ln(
        "Too many failed attempts. Try again in %(num)d second.",
        "Too many failed attempts. Try again in %(num)d seconds.",
        1,
    )
    many = _ln(one.msgid, one.plural or "", 30)
    assert (one, many) == (
        "Too many failed attempts. Try again in 1 second.",
        "Too many failed attempts. Try again in 30 seconds.",
    )
    assert translate(one, "es").endswith("dentro de 1 segundo.")
    assert translate(many, "es").endswith("dentro de 30 segundos.")
    assert translate(many, "zh") == "失败次数过多，请 30 秒后再试。"  # noqa: RUF001


def test_unknown_language_and_unknown_text_fall_back_safely() -> None:
    assert translate(_l("Home"), "xx") == "Home"
    assert translate("Some text the catalog does not know", "es") == (
        "Some text the catalog does not know"
    )
    assert translate(Message("Home"), "es") == "Inicio"
    assert translate("", "es") == ""


def test_translators_for_emails() -> None:
    _, _n = translators("es")
    assert _("Dear %(username)s,", username="ana") == "Hola, ana:"
    assert _n(
        "To reset your password, open this link within %(num)d minute:",
        "To reset your password, open this link within %(num)d minutes:",
        10,
    ) == ("Para restablecer tu contraseña, abre este enlace en los próximos 10 minutos:")


def test_messages_survive_pickling_translatable() -> None:
    import pickle

    message = pickle.loads(pickle.dumps(_l("User %(username)s not found.", username="x")))  # noqa: S301
    assert isinstance(message, Message)
    assert translate(message, "es") == "No se encontró al usuario x."


def test_a_stale_mo_is_not_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without compiled catalogs (a fresh checkout), the .po is compiled in memory."""
    for lang in SUPPORTED:
        target = tmp_path / lang / "LC_MESSAGES"
        target.mkdir(parents=True)
        target.joinpath("messages.po").write_bytes(po_path(lang).read_bytes())
    monkeypatch.setattr(catalogs_module, "TRANSLATIONS_DIR", tmp_path)
    catalogs_module.catalog.cache_clear()
    try:
        assert translate(_l("Home"), "zh") == "首页"
    finally:
        catalogs_module.catalog.cache_clear()


def test_browser_catalog_modules() -> None:
    """English (the fallback) in the module every page imports, with a loader per other
    language; each other language in a module of its own."""
    modules = render_modules()
    assert sorted(modules) == ["catalog_es.js", "catalog_zh.js", "catalogs.js"]
    assert all(module.startswith("// Generated") for module in modules.values())
    assert "export default { plural: (n) => Number((n != 1))" in modules["catalog_es.js"]
    assert "export default { plural: (n) => Number(0)" in modules["catalog_zh.js"]
    assert '"es": () => import("./catalog_es.js")' in modules["catalogs.js"]
    assert '"Inicio"' not in modules["catalogs.js"] and "首页" not in modules["catalogs.js"]
    entries = catalog_entries(load("es"))
    assert entries["Home"] == "Inicio"
    assert entries["follower"] == ["seguidor", "seguidores"]
    assert "Home" not in catalog_entries(load("en"))  # same as the msgid: the fallback


def test_plural_rule_must_be_a_plain_expression() -> None:
    catalog = Catalog(locale="es")
    catalog._num_plurals, catalog._plural_expr = 2, "(n != 1)"
    assert plural_js(catalog) == "(n) => Number((n != 1))"
    catalog._plural_expr = "alert(1)"
    with pytest.raises(ValueError, match="Plural-Forms"):
        plural_js(catalog)
