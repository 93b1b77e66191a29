"""The browser's translation runtime (assets/i18n/runtime.js with the generated catalog modules),
run in Node: relative times come from our catalogs in each language, pick the largest unit and
the language's plural form, the hover title is written from the element's own datetime, a
full date shows as digits in the reader's time zone until the tab has built a formatter, and a
page loads only the catalogs of the languages it shows."""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from microblog.i18n.jsexport import module_name, render_modules
from microblog.web.page_languages import in_language
from tests.conftest import PROJECT_ROOT

RUNTIME = PROJECT_ROOT / "assets" / "i18n" / "runtime.js"

pytestmark = pytest.mark.skipif(shutil.which("node") is None, reason="needs node")

# (age in seconds, language, expected text); negative ages are in the future (clock skew).
CASES = [
    (10, "en", "just now"),
    (-120, "en", "just now"),
    (50, "en", "50 seconds ago"),
    (89, "en", "1 minute ago"),
    (180, "en", "3 minutes ago"),
    (180, "es", "hace 3 minutos"),
    (180, "zh", "3分钟前"),
    (60, "es", "hace 1 minuto"),
    (2 * 3600, "en", "2 hours ago"),
    (86_400, "en", "1 day ago"),
    (3 * 86_400, "es", "hace 3 días"),
    (14 * 86_400, "en", "2 weeks ago"),
    (45 * 86_400, "en", "2 months ago"),
    (400 * 86_400, "zh", "1年前"),
    (800 * 86_400, "en", "2 years ago"),
]


BUILD_ENV = "import.meta.env || {}"  # what runtime.js reads of Vite's build (SSR, PROD)


def _run(tmp_path: Path, script: str, time_zone: str = "UTC", leave_out: str = "") -> object:
    """Run `script` as an ES module next to copies of the runtime and freshly rendered catalog
    modules (a package.json of type module, so Node loads the .js files as modules); returns what
    it printed as JSON. `runtime.mjs` is the runtime as a browser runs it; `prerender.mjs` as
    the production build's prerender runs it (Vite's `import.meta.env.SSR` and `PROD` both
    true). `leave_out`: a catalog module not written (one that cannot be loaded)."""
    (tmp_path / "package.json").write_text('{"type": "module"}', encoding="utf-8")
    for name, content in render_modules().items():
        if name != leave_out:
            (tmp_path / name).write_text(content, encoding="utf-8")
    runtime = RUNTIME.read_text(encoding="utf-8")
    assert runtime.count(BUILD_ENV) == 1
    (tmp_path / "runtime.mjs").write_text(runtime, encoding="utf-8")
    prerender = runtime.replace(BUILD_ENV, "{ SSR: true, PROD: true }")
    (tmp_path / "prerender.mjs").write_text(prerender, encoding="utf-8")
    (tmp_path / "check.mjs").write_text(script, encoding="utf-8")
    done = subprocess.run(
        ["node", str(tmp_path / "check.mjs")],
        env={**os.environ, "TZ": time_zone},
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    return json.loads(done.stdout)


def test_relative_times_in_each_language(tmp_path: Path) -> None:
    script = f"""
import {{ loadCatalog, relativeTime }} from "./runtime.mjs";
await Promise.all(["es", "zh"].map(loadCatalog));  // as a page that was switched to each
const now = Date.now();
const cases = {json.dumps(CASES)};
const out = cases.map(([age, lang]) =>
  relativeTime(lang, new Date(now - age * 1000).toISOString()));
out.push(relativeTime("en", ""), relativeTime("en", "not a date"));
console.log(JSON.stringify(out));
"""
    got = _run(tmp_path, script)
    assert got == [expected for _, _, expected in CASES] + ["", ""]


def test_time_tip_shows_the_full_date_and_describes_the_time(tmp_path: Path) -> None:
    """Focus (or a tap, or the pointer) shows the full date in a tooltip that describes the
    time; Escape hides it; the pointer leaving a focused time keeps it."""
    script = """
import { timeTip } from "./runtime.mjs";
globalThis.window = { scrollX: 0, scrollY: 100 };
const nodes = {};
const doc = {
  activeElement: null,
  documentElement: { clientWidth: 390 },
  body: { appendChild: (node) => { nodes[node.id] = node; } },
  getElementById: (id) => nodes[id] || null,
  createElement: () => {
    const attrs = {};
    return { style: {}, offsetWidth: 200, hidden: true, setAttribute: (k, v) => { attrs[k] = v; },
             getAttribute: (k) => attrs[k] };
  },
};
const iso = "2024-03-01T12:00:00Z";
const attrs = { datetime: iso };
const element = {
  ownerDocument: doc,
  getAttribute: (name) => attrs[name] ?? null,
  setAttribute: (name, value) => { attrs[name] = value; },
  removeAttribute: (name) => { delete attrs[name]; },
  getBoundingClientRect: () => ({ left: 300, bottom: 40 }),
};
const event = { currentTarget: element, key: "Escape" };
timeTip("es", "show")(event);
doc.activeElement = element;
const tip = nodes["time-tip"];
const shown = [tip.textContent, tip.hidden, tip.getAttribute("role"), attrs["aria-describedby"],
  tip.style.left, tip.style.top];
timeTip("es", "leave")(event);  // a focused time keeps its tip when the pointer leaves
const kept = !tip.hidden;
timeTip("es", "key")(event);
const expected = new Date(iso).toLocaleString("es", { dateStyle: "long", timeStyle: "short" });
const show = timeTip("es", "show");
console.log(JSON.stringify([shown, kept, tip.hidden, attrs["aria-describedby"] ?? null, expected,
  show === timeTip("es", "show"), show === timeTip("en", "show")]));
"""
    shown, kept, hidden_after, described_after, expected, same, other = _run(tmp_path, script)
    assert shown == [expected, False, "tooltip", "time-tip", "182px", "146px"]
    assert "2024" in expected
    assert kept is True and hidden_after is True and described_after is None
    assert same is True  # one function per language and event: React sees no new prop
    assert other is False


def test_digits_in_the_readers_time_zone_until_the_formatter_is_built(tmp_path: Path) -> None:
    script = """
import { dateTime, dateTimeFormatReady, numericDateTime } from "./runtime.mjs";
const iso = "2024-03-01T23:45:00Z";
const before = dateTimeFormatReady("es");
const digits = numericDateTime(iso);
const full = dateTime("es", iso);
const expected = new Date(iso).toLocaleString("es", { dateStyle: "long", timeStyle: "short" });
console.log(JSON.stringify([before, digits, full === expected, full, dateTimeFormatReady("es"),
  dateTimeFormatReady("en"), numericDateTime(""), numericDateTime("not a date")]));
"""
    got = _run(tmp_path, script, time_zone="Asia/Kolkata")  # UTC+05:30: the next day
    before, digits, as_expected, full, after, other_language, empty, invalid = got
    assert before is False and after is True and other_language is False
    assert digits == "2024-03-02 05:15"
    assert as_expected is True and "2024" in full and "5:15" in full
    assert empty == "" and invalid == ""


def test_the_first_render_is_in_the_language_of_the_html_then_the_stored_one(
    tmp_path: Path,
) -> None:
    """React error #418: the first render in the browser read the stored language while the
    prerendered HTML is English. Until the page has hydrated, a missing language is the HTML's;
    then the visitor's stored choice; the state's own value always wins."""
    script = """
const stored = { microblog_lang: "es" };
globalThis.window = { localStorage: { getItem: (key) => stored[key] ?? null } };
const { currentLang, markHydrated, t, htmlLang } = await import("./runtime.mjs");
const out = [currentLang(""), t("", "Home"), currentLang("zh")];
markHydrated();
out.push(currentLang(""), t("", "Home"), currentLang("zh"), htmlLang("zh"), htmlLang("es"));
console.log(JSON.stringify(out));
"""
    assert _run(tmp_path, script) == ["en", "Home", "zh", "es", "Inicio", "zh", "zh-Hans", "es"]


def test_the_first_render_draws_the_language_the_server_drew_the_page_in(tmp_path: Path) -> None:
    """A page the server sent in Spanish says so on <html> (web/page_languages.py): React's
    first render must draw Spanish too, or it throws the page away (#418); a value that is none
    of our languages means English, the build's own pages."""
    script = """
const attributes = { "data-drawn-lang": "es" };
globalThis.document = { documentElement: { getAttribute: (name) => attributes[name] ?? null } };
const first = await import("./runtime.mjs?es");
attributes["data-drawn-lang"] = "xx";
const second = await import("./runtime.mjs?unknown");
console.log(JSON.stringify([first.DRAWN_LANG, first.currentLang(""), first.t("", "Home"),
  second.DRAWN_LANG, second.t("", "Home")]));
"""
    assert _run(tmp_path, script) == ["es", "es", "Inicio", "en", "Home"]


# Texts as React's prerender writes them: escaped, in a text node or an attribute's value.
PRERENDERED_PAGE = r"""
const escape = (text) => String(text).replace(/[&<>"']/g,
  (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#x27;" })[c]);
const texts = (i18n) => [
  i18n.t("", "Home"),
  i18n.t("", "Hi, %(username)s!", { username: '<b>"A&B"</b>' }),
  i18n.tn("", "%(num)d character left", "%(num)d characters left", 3),
  i18n.tn("", "%(num)d character left", "%(num)d characters left", 1),
  i18n.t("", "Export failed: %(reason)s", { reason: i18n.t("", "Search") }),
  i18n.t("", "a text that no catalog has"),
];
const prerender = await import("./prerender.mjs");
const marked = texts(prerender);
const page = '<html dir="ltr" lang="en"><body>' + marked.map((text) =>
  `<p title="${escape(text)}">${escape(text)}</p>`).join("") + "</body></html>";
const expected = {};
for (const lang of ["en", "es", "zh"]) {
  const attributes = { "data-drawn-lang": lang };
  globalThis.document = { documentElement: { getAttribute: (name) => attributes[name] } };
  expected[lang] = texts(await import(`./runtime.mjs?${lang}`));
}
console.log(JSON.stringify({ marked, page, expected }));
"""


def test_the_prerender_writes_each_text_in_every_language_as_the_browser_draws_it(
    tmp_path: Path,
) -> None:
    """The build's page in each language (web/page_languages.py) holds, for every translated
    text, exactly what the browser's own first render draws in that language: the text, its
    plural form, its parameters (escaped), a translated text inside another."""
    got = _run(tmp_path, PRERENDERED_PAGE)
    assert isinstance(got, dict)
    for text in got["marked"]:
        assert text.startswith("\ue000{") and text.endswith("}\ue001")
    for lang, texts in got["expected"].items():
        page = in_language(got["page"], lang)
        assert "\ue000" not in page and "\ue001" not in page
        shown = [html.unescape(text) for text in re.findall(r">([^<]*)</p>", page)]
        titles = [html.unescape(title) for title in re.findall(r'title="([^"]*)"', page)]
        assert shown == texts == titles
    assert got["expected"]["es"][0] == "Inicio" and got["expected"]["zh"][0] == "首页"
    assert got["expected"]["en"][1] == 'Hi, <b>"A&B"</b>!'
    assert "&lt;b&gt;&quot;A&amp;B&quot;&lt;/b&gt;" in in_language(got["page"], "es")
    assert got["expected"]["es"][4] == "La exportación falló: Buscar"


def test_a_page_loads_only_the_catalogs_of_the_languages_it_shows(tmp_path: Path) -> None:
    """Each language but English is a module of its own. A page drawn in Spanish has Spanish
    before its first render and no Chinese; a switch to Chinese keeps the Spanish words until
    the Chinese catalog has loaded (LanguageSync then renders the page again), never English;
    an English page with no stored choice loads neither."""
    script = """
const attributes = { "data-drawn-lang": "es" };
globalThis.document = { documentElement: { getAttribute: (name) => attributes[name] ?? null } };
const es = await import("./runtime.mjs?es");
const out = [es.catalogLoaded("es"), es.catalogLoaded("zh"), es.t("", "Home")];
es.markHydrated();
out.push(es.t("zh", "Home"), es.catalogLoaded("zh"));
await es.loadCatalog("zh");
out.push(es.catalogLoaded("zh"), es.t("zh", "Home"), es.t("es", "Home"), es.t("en", "Home"));
console.log(JSON.stringify(out));
"""
    assert _run(tmp_path, script) == [
        *(True, False, "Inicio"),
        *("Inicio", False),
        *(True, "首页", "Inicio", "Home"),
    ]
    english = """
const loaded = await import("./runtime.mjs");
console.log(JSON.stringify(["es", "zh", "en"].map((code) => loaded.catalogLoaded(code))));
"""
    assert _run(tmp_path, english) == [False, False, True]


def test_a_catalog_that_cannot_load_leaves_the_page_in_the_language_it_shows(
    tmp_path: Path,
) -> None:
    """Offline, or the build replaced under the page: the import fails, the runtime says so on
    the console and keeps the words it shows; the page still runs."""
    script = """
const { loadCatalog, catalogLoaded, t } = await import("./runtime.mjs");
const errors = [];
console.error = (...args) => errors.push(String(args[0]));
const code = await loadCatalog("zh");
t("zh", "Home");  // a render of the switched page asks again
await loadCatalog("zh");
console.log(JSON.stringify([code, catalogLoaded("zh"), t("zh", "Home"), errors]));
"""
    got = _run(tmp_path, script, leave_out=module_name("zh"))
    assert got == ["zh", False, "Home", ["The zh catalog could not be loaded"]]
