"""The audit: Lighthouse and axe on every page of the production stack, with the demo data.

    make lighthouse          # Lighthouse 12.2.3 into .tools (the last release that runs on Node 20)
    python -m benchmarks.bench_audit                       # every page, en/es/zh, both forms
    python -m benchmarks.bench_audit --pages home,explore --langs en --runs 3   # a quick look

What it does:

1. Starts the production stack as `make prod` does (`python -m microblog.stack run`: nginx in
   front of `--workers` workers, PostgreSQL `--database-url` and Redis `--redis-url`) on a
   loopback port, after migrating and seeding the demo data (`python -m microblog seed`).
   `--stack-root` runs another checkout's code (a worktree of main, for a before/after
   comparison) with this script; `--url` audits a stack that is already running.
2. For each language and for a visitor and a signed-in reader (susan), it starts Debian's
   Chromium headless with a remote debugging port and a profile of its own, sets the language
   (the app's localStorage choice; the reader's profile language in the database) and signs in
   through the login form (Playwright over the same debugging port). Lighthouse then drives that
   same browser (`--port`): it clears the cache before each page but keeps cookies and
   localStorage, so a signed-in audit sees the signed-in page.
3. Each page: axe-core (axe-playwright-python) at the phone and desktop widths (390x844 and
   1350x940), light and dark, after the page is live; then Lighthouse `--runs` times per form
   factor (mobile: Lighthouse's default, simulated slow 4G and 4x CPU; desktop: `--preset
   desktop`). Figures are the medians of the runs.
4. Prints the table and writes it into `--doc` (docs/audit.md) between the markers
   `<!-- audit:begin -->` and `<!-- audit:end -->`, so a rerun replaces it; the full run's
   options, the date and the load average are written with it. `--json` keeps every figure.

Lighthouse's performance score depends on the machine: on a loaded one, repeat (`--runs`) and
compare runs made at the same time (`uptime` is printed at the start and the end).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from microblog.config import PROJECT_ROOT
from microblog.seed import DEMO_PASSWORD
from tests.app_server import CHROMIUM, CHROMIUM_ARGS, free_port

LIGHTHOUSE = PROJECT_ROOT / ".tools" / "node_modules" / "lighthouse" / "cli" / "index.js"
LIGHTHOUSE_VERSION = "12.2.3"
READER = "susan"
LANGS = ("en", "es", "zh")
FORMS = ("mobile", "desktop")
VIEWPORTS = {"mobile": (390, 844), "desktop": (1350, 940)}
BEGIN, END = "<!-- audit:begin -->", "<!-- audit:end -->"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
CPU_PROFILE = "disabled-by-default-v8.cpu_profiler"


@dataclass(frozen=True)
class Page:
    name: str
    path: str  # may hold {user}, {post}, {tag}, {term}
    visitor: bool  # audited for a visitor
    reader: bool  # audited signed in
    # Lighthouse refuses a page answered 404 ("unable to reliably load the page... (Status
    # code: 404)"): such a page gets axe only.
    lighthouse: bool = True


PAGES = (
    Page("home", "/", visitor=False, reader=True),
    Page("explore", "/explore", visitor=True, reader=True),
    Page("profile", "/user/{user}", visitor=True, reader=True),
    Page("thread", "/post/{post}", visitor=True, reader=True),
    Page("tag", "/tag/{tag}", visitor=True, reader=True),
    Page("search", "/search?q={term}", visitor=True, reader=True),
    Page("messages", "/messages", visitor=False, reader=True),
    Page("notifications", "/notifications", visitor=False, reader=True),
    Page("edit profile", "/edit_profile", visitor=False, reader=True),
    Page("login", "/login", visitor=True, reader=False),
    Page("register", "/register", visitor=True, reader=False),
    Page("reset request", "/reset_password_request", visitor=True, reader=False),
    Page("not found", "/no-such-page", visitor=True, reader=False, lighthouse=False),
)


@dataclass
class Row:
    page: str
    lang: str
    who: str  # "visitor" | "signed in"
    form: str
    scores: dict[str, list[float]] = field(default_factory=dict)  # per category, per run
    tbt: list[float] = field(default_factory=list)
    lcp: list[float] = field(default_factory=list)
    cls: list[float] = field(default_factory=list)
    js_kib: list[float] = field(default_factory=list)
    css_kib: list[float] = field(default_factory=list)
    unused_js_kib: list[float] = field(default_factory=list)
    axe: dict[str, list[str]] = field(default_factory=dict)  # scheme -> rule ids
    failed: list[str] = field(default_factory=list)  # failed audits (non-performance)


def median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


# --- the stack -------------------------------------------------------------------------------


def python_of(root: Path) -> str:
    candidate = root / ".venv" / "bin" / "python"
    return str(candidate) if candidate.exists() else sys.executable


def prepare_data(root: Path, database_url: str, redis_url: str) -> None:
    """Migrate and seed the demo data with the audited checkout's own code."""
    import redis

    from benchmarks.bench_stack import _ensure_database

    redis.Redis.from_url(redis_url).flushdb()
    _ensure_database(database_url)
    env = {**os.environ, "DATABASE_URL": database_url, "MICROBLOG_ENV": "development"}
    python = python_of(root)
    subprocess.run([python, "-m", "microblog", "migrate"], cwd=root, env=env, check=True)
    subprocess.run([python, "-m", "microblog", "seed", "--yes"], cwd=root, env=env, check=True)


@contextmanager
def stack(args: argparse.Namespace, root: Path) -> Iterator[str]:
    """`python -m microblog.stack run` from `root` until the block ends; yields its URL."""
    from benchmarks.bench_stack import _environment, _free_ports

    with tempfile.TemporaryDirectory(prefix="audit-stack-") as work:
        env = _environment(args, args.port, _free_ports(args.workers), Path(work) / "run")
        env["REFLEX_WEB_WORKDIR"] = str(root / ".web-prod-audit")
        env["PATH"] = f"{root / '.tools' / 'node_modules' / '.bin'}{os.pathsep}{env['PATH']}"
        env.update(REFLEX_TELEMETRY_ENABLED="false", REFLEX_CHECK_LATEST_VERSION="false")
        log = args.stack_log or Path(work) / "stack.log"
        print(f"starting the stack from {root} on {env['PUBLIC_URL']} (log {log})", flush=True)
        started = time.monotonic()
        with log.open("wb") as output:
            process = subprocess.Popen(
                [python_of(root), "-m", "microblog.stack", "run"],
                cwd=root,
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        failed = False
        try:
            while "stack: ready" not in log.read_text(errors="replace"):
                if process.poll() is not None or time.monotonic() - started > 1200:
                    sys.exit(f"the stack did not start:\n{log.read_text()[-3000:]}")
                time.sleep(0.5)
            print(f"stack ready after {time.monotonic() - started:.0f} s", flush=True)
            try:
                yield env["PUBLIC_URL"]
            except BaseException:
                failed = True
                raise
        finally:
            if failed or process.poll() is not None:
                print(f"the stack's log ends:\n{log.read_text(errors='replace')[-3000:]}")
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)


def subjects(database_url: str) -> dict[str, str]:
    """What the pages with a parameter show: the reader, the post with the most replies, the
    most used tag and a word that finds posts."""
    from sqlalchemy import create_engine, text

    from microblog.config import normalize_database_url

    engine = create_engine(normalize_database_url(database_url))
    with engine.connect() as db:
        post = db.execute(
            text(
                "SELECT id FROM post WHERE boost_of_id IS NULL "
                "ORDER BY reply_count DESC, id LIMIT 1"
            )
        ).scalar_one()
        tag = db.execute(
            text(
                "SELECT t.name FROM tag t JOIN post_tag pt ON pt.tag_id = t.id "
                "GROUP BY t.name ORDER BY count(*) DESC, t.name LIMIT 1"
            )
        ).scalar_one()
        body = db.execute(
            text("SELECT body FROM post WHERE body <> '' ORDER BY id DESC LIMIT 1")
        ).scalar_one()
    engine.dispose()
    words = [w for w in body.split() if w.isalpha() and len(w) > 4] or ["the"]
    return {"user": READER, "post": str(post), "tag": tag, "term": words[0].lower()}


def set_reader_language(database_url: str, lang: str) -> None:
    from sqlalchemy import create_engine, text

    from microblog.config import normalize_database_url

    engine = create_engine(normalize_database_url(database_url))
    with engine.begin() as db:
        db.execute(
            text('UPDATE "user" SET language = :lang WHERE username = :name'),
            {"lang": lang, "name": READER},
        )
    engine.dispose()


# --- the browser -----------------------------------------------------------------------------


@contextmanager
def chromium(lang: str) -> Iterator[int]:
    """Headless Chromium with a debugging port and a fresh profile; yields the port."""
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="audit-chromium-") as profile:
        process = subprocess.Popen(
            [
                CHROMIUM,
                *[a for a in CHROMIUM_ARGS if a != "--headless"],
                "--headless=new",
                f"--remote-debugging-port={port}",
                "--remote-debugging-address=127.0.0.1",
                f"--user-data-dir={profile}",
                f"--lang={lang}",
                f"--accept-lang={lang}",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        sys.exit("Chromium did not open its debugging port")
                    time.sleep(0.2)
            yield port
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


# The page is live: Reflex's websocket is connected and React has replaced the server's
# drawings (the first paint's placeholders are empty again).
LIVE_JS = """() => document.readyState === 'complete'
  && !document.querySelector('.feed-first-paint:not(:empty)')"""


def prepare_browser(port: int, base: str, lang: str, signed_in: bool) -> None:
    """The language chosen and, for a reader, signed in, in the browser's own profile."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.connect_over_cdp(f"http://127.0.0.1:{port}")
        page = browser.contexts[0].new_page()
        page.goto(f"{base}/login", wait_until="networkidle", timeout=120_000)
        # The value as LocaleState keeps it: the bare code (a JSON-quoted '"en"' is no language,
        # and the page then wrote <html lang> twice while it settled: two long tasks).
        page.evaluate("(lang) => localStorage.setItem('microblog_lang', lang)", lang)
        if signed_in:
            page.reload(wait_until="networkidle")
            page.locator("input[name=login]").fill(READER)
            page.locator("input[name=password]").fill(DEMO_PASSWORD)
            page.locator("form button[type=submit]").first.click()
            page.wait_for_url(lambda url: "/login" not in url, timeout=60_000)
            page.wait_for_load_state("networkidle")
        page.close()


def run_axe(port: int, url: str, row_by_form: dict[str, Row]) -> None:
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import sync_playwright

    axe = Axe()
    with sync_playwright() as playwright:
        browser = playwright.chromium.connect_over_cdp(f"http://127.0.0.1:{port}")
        page = browser.contexts[0].new_page()
        try:
            for form, row in row_by_form.items():
                width, height = VIEWPORTS[form]
                page.set_viewport_size({"width": width, "height": height})
                for scheme in ("light", "dark"):
                    page.emulate_media(color_scheme=scheme)
                    page.goto(url, wait_until="networkidle", timeout=120_000)
                    try:
                        page.wait_for_function(LIVE_JS, timeout=30_000)
                    except PlaywrightTimeout:
                        print(f"  {url}: not live after 30 s; axe runs on what shows")
                    found = axe.run(page).response.get("violations", [])
                    row.axe[scheme] = [f"{v['id']} ({len(v['nodes'])})" for v in found]
        finally:
            page.close()


def run_lighthouse(
    port: int, url: str, form: str, out: Path, *, traces: bool = False
) -> dict[str, Any]:
    command = [
        "node",
        str(LIGHTHOUSE),
        url,
        f"--port={port}",
        "--output=json",
        f"--output-path={out}",
        f"--only-categories={','.join(CATEGORIES)}",
        "--max-wait-for-load=60000",
        "--quiet",
    ]
    if form == "desktop":
        command.append("--preset=desktop")
    if traces:
        # The trace beside the report, with the JavaScript's CPU profile in it.
        command += ["--save-assets", "--additional-trace-categories=" + CPU_PROFILE]
    subprocess.run(command, check=True, timeout=600)
    return json.loads(out.read_text())


def record(row: Row, report: dict[str, Any]) -> None:
    for category in CATEGORIES:
        score = report["categories"][category]["score"]
        row.scores.setdefault(category, []).append(round((score or 0) * 100))
    audits = report["audits"]
    row.tbt.append(audits["total-blocking-time"]["numericValue"])
    row.lcp.append(audits["largest-contentful-paint"]["numericValue"])
    row.cls.append(audits["cumulative-layout-shift"]["numericValue"])
    sizes = {
        item["resourceType"]: item["transferSize"]
        for item in audits["resource-summary"]["details"]["items"]
    }
    row.js_kib.append(sizes.get("script", 0) / 1024)
    row.css_kib.append(sizes.get("stylesheet", 0) / 1024)
    unused = audits.get("unused-javascript", {}).get("details", {}) or {}
    row.unused_js_kib.append(unused.get("overallSavingsBytes", 0) / 1024)
    failed = {
        audit_ref["id"]
        for category in ("accessibility", "best-practices", "seo")
        for audit_ref in report["categories"][category]["auditRefs"]
        if audit_ref.get("weight")
        and (audits[audit_ref["id"]].get("score") is not None)
        and audits[audit_ref["id"]]["score"] < 1
    }
    row.failed = sorted(set(row.failed) | failed)


# --- the table -------------------------------------------------------------------------------


def _fmt(value: float | None, pattern: str) -> str:
    return "-" if value is None else format(value, pattern)


def table(rows: list[Row]) -> str:
    head = (
        "| page | lang | reader | form | perf | a11y | best pr. | SEO | TBT ms | LCP ms | CLS "
        "| JS KiB | unused JS KiB | CSS KiB | axe light | axe dark | failed audits |"
    )
    lines = [head, "|" + "---|" * 4 + "---:|" * 10 + "---|---|---|"]
    for row in rows:
        scores = [_fmt(median(row.scores.get(c, [])), ".0f") for c in CATEGORIES]
        axe = [", ".join(row.axe[s]) or "0" if s in row.axe else "-" for s in ("light", "dark")]
        lines.append(
            "| "
            + " | ".join(
                [
                    row.page,
                    row.lang,
                    row.who,
                    row.form,
                    *scores,
                    _fmt(median(row.tbt), ".0f"),
                    _fmt(median(row.lcp), ".0f"),
                    _fmt(median(row.cls), ".3f"),
                    _fmt(median(row.js_kib), ".0f"),
                    _fmt(median(row.unused_js_kib), ".0f"),
                    _fmt(median(row.css_kib), ".0f"),
                    *axe,
                    ", ".join(row.failed) or "-",
                ]
            )
            + " |"
        )
    return "\n".join(lines)


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def write_doc(doc: Path, block: str) -> None:
    text = doc.read_text() if doc.exists() else ""
    if BEGIN in text and END in text:
        before, rest = text.split(BEGIN, 1)
        after = rest.split(END, 1)[1]
        text = f"{before}{BEGIN}\n{block}\n{END}{after}"
    else:
        text = f"{text.rstrip()}\n\n{BEGIN}\n{block}\n{END}\n".lstrip()
    doc.write_text(text)


# --- main ------------------------------------------------------------------------------------


def audit(args: argparse.Namespace, base: str, work: Path) -> list[Row]:
    wanted = set(args.pages.split(",")) if args.pages else None
    pages = [p for p in PAGES if wanted is None or p.name in wanted]
    if wanted and len(pages) != len(wanted):
        sys.exit(f"unknown page in --pages; pages: {', '.join(p.name for p in PAGES)}")
    values = subjects(args.database_url)
    rows: list[Row] = []
    for lang in args.langs.split(","):
        for signed_in in (False, True):
            chosen = [p for p in pages if (p.reader if signed_in else p.visitor)]
            if not chosen or (signed_in and args.visitor_only):
                continue
            who = "signed in" if signed_in else "visitor"
            if signed_in:
                set_reader_language(args.database_url, lang)
            with chromium(lang) as port:
                prepare_browser(port, base, lang, signed_in)
                for page in chosen:
                    url = base + page.path.format(**values)
                    by_form = {f: Row(page.name, lang, who, f) for f in args.forms.split(",")}
                    if not args.skip_axe:
                        run_axe(port, url, by_form)
                    if not args.skip_lighthouse and page.lighthouse:
                        for run in range(args.runs):
                            for form, row in by_form.items():
                                out = work / f"{page.name}-{lang}-{who}-{form}-{run}.json".replace(
                                    " ", "_"
                                )
                                record(
                                    row, run_lighthouse(port, url, form, out, traces=args.traces)
                                )
                    for row in by_form.values():
                        rows.append(row)
                        print(table([row]).splitlines()[-1], flush=True)
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else "")
    parser.add_argument(
        "--database-url", default="postgresql://postgres@127.0.0.1:5432/bench_audit"
    )
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/14")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=18090, help="nginx's port")
    parser.add_argument("--stack-root", type=Path, default=PROJECT_ROOT, help="checkout to run")
    parser.add_argument("--url", help="audit a stack already running there (no start, no seed)")
    parser.add_argument("--pages", help=f"comma-separated; of: {', '.join(p.name for p in PAGES)}")
    parser.add_argument("--langs", default=",".join(LANGS))
    parser.add_argument("--forms", default=",".join(FORMS))
    parser.add_argument("--runs", type=int, default=1, help="Lighthouse runs per page and form")
    parser.add_argument("--visitor-only", action="store_true")
    parser.add_argument("--skip-axe", action="store_true")
    parser.add_argument("--skip-lighthouse", action="store_true")
    parser.add_argument("--doc", type=Path, default=PROJECT_ROOT / "docs" / "audit.md")
    parser.add_argument("--no-doc", action="store_true", help="print only")
    parser.add_argument("--json", type=Path, help="every figure as JSON")
    parser.add_argument("--stack-log", type=Path, help="the stack's output (default: temporary)")
    parser.add_argument("--reports", type=Path, help="keep Lighthouse's JSON reports here")
    parser.add_argument(
        "--traces",
        action="store_true",
        help="keep each run's trace too, with the CPU profile (python -m benchmarks.trace_tasks)",
    )
    args = parser.parse_args(argv)
    if not args.skip_lighthouse and not LIGHTHOUSE.exists():
        sys.exit(f"Lighthouse is not installed at {LIGHTHOUSE}: run `make lighthouse`.")
    if not shutil.which("node"):
        sys.exit("Lighthouse needs Node.js (20 or newer) on PATH.")
    root = args.stack_root.resolve()
    started = datetime.datetime.now(datetime.UTC)
    load_at_start = load_average()
    print(f"load average at start: {load_at_start}", flush=True)
    with tempfile.TemporaryDirectory(prefix="audit-") as temporary:
        work = args.reports or Path(temporary)
        work.mkdir(parents=True, exist_ok=True)
        if args.url:
            rows = audit(args, args.url.rstrip("/"), work)
        else:
            prepare_data(root, args.database_url, args.redis_url)
            with stack(args, root) as base:
                rows = audit(args, base, work)
    load_at_end = load_average()
    command = "python -m benchmarks.bench_audit " + " ".join(argv or sys.argv[1:])
    block = "\n".join(
        [
            f"Measured {started:%Y-%m-%d %H:%M} UTC with `{command.strip()}`: Lighthouse "
            f"{LIGHTHOUSE_VERSION}, median of {args.runs} run(s) per page and form; axe-core via "
            f"axe-playwright-python at {VIEWPORTS['mobile'][0]} px (mobile rows) and "
            f"{VIEWPORTS['desktop'][0]} px (desktop rows); load average {load_at_start} at the "
            f"start, {load_at_end} at the end.",
            "",
            table(rows),
        ]
    )
    print()
    print(block)
    if args.json:
        args.json.write_text(json.dumps([row.__dict__ for row in rows], indent=1))
    if not args.no_doc:
        write_doc(args.doc, block)
        print(f"\nwritten into {args.doc}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
