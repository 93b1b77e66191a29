"""The site as other programs meet it, on the public (frontend) address of `reflex run`, as
under `make run`: statuses (404 for unknown pages, users and posts, with the app's Not Found
page still shown), the OpenGraph and Twitter tags and feed links a crawler reads without
JavaScript, the feeds themselves (read by feedparser), the API docs (served from here, offline),
robots.txt and the sitemap, and the installable web app (Chromium's own reading of the
manifest, its icons). The production build's and nginx's side: test_prod_build.py and
test_production.py."""

from __future__ import annotations

import io
import json
import re
import secrets

import feedparser
import httpx
import pytest
from PIL import Image
from playwright.sync_api import Browser, Page, expect

from microblog.services.opengraph import parse_preview
from tests.e2e.actions import new_name, post, signed_up
from tests.e2e.conftest import NewPage, RunningApp
from tests.e2e.looks import check_look, every_look, screenshot_dir

pytestmark = pytest.mark.browser


def _thread_id(page: Page, text: str) -> int:
    """The id of the post showing `text`, from its card's link to its thread."""
    link = page.locator(".post", has_text=text).first.locator("a[href^='/post/']").first
    return int(re.search(r"/post/(\d+)", link.get_attribute("href") or "").group(1))  # type: ignore[union-attr]


def test_unknown_pages_users_and_posts_answer_404_with_the_not_found_page(
    live_app: RunningApp, new_page: NewPage
) -> None:
    with httpx.Client(base_url=live_app.frontend, timeout=60) as client:
        for path in ("/no-such-page", f"/user/nobody{secrets.token_hex(3)}", "/post/987654321"):
            answer = client.get(path)
            assert answer.status_code == 404, path
            assert answer.headers["content-type"].startswith("text/html")
        assert client.get("/explore").status_code == 200
        assert client.get("/login").status_code == 200
    page = new_page()
    missing = page.goto("/no-such-page")
    assert missing is not None and missing.status == 404
    expect(page.get_by_role("heading", name="Not Found")).to_be_visible()
    page.goto(f"/user/nobody{secrets.token_hex(3)}")
    expect(page.get_by_role("heading", name="Not Found")).to_be_visible()


def test_a_shared_profile_or_post_previews_itself_and_names_its_feeds(
    live_app: RunningApp, new_page: NewPage
) -> None:
    ann = new_name("ann")
    tag = f"web{secrets.token_hex(3)}"
    says = f"Hello from the open web #{tag}"
    page = signed_up(new_page(), ann)
    post(page, says)
    post_id = _thread_id(page, says)

    with httpx.Client(base_url=live_app.frontend, timeout=60) as crawler:  # no JavaScript
        profile = crawler.get(f"/user/{ann}")
        assert profile.status_code == 200
        preview = parse_preview(profile.text, page_url=str(profile.url))
        assert preview.title == f"{ann} · Microblog"
        assert preview.canonical_url == f"{live_app.frontend}/user/{ann}"
        assert preview.image.startswith("https://www.gravatar.com/avatar/")
        assert preview.description == f"Posts by {ann}"
        assert 'name="twitter:card" content="summary"' in profile.text
        head = profile.text.split("</head>")[0]
        feeds = re.findall(
            r'<link rel="alternate" type="([^"]+)" title="[^"]*" href="([^"]+)"', head
        )
        assert {kind for kind, _ in feeds} == {"application/rss+xml", "application/atom+xml"}

        thread = crawler.get(f"/post/{post_id}")
        seen = parse_preview(thread.text, page_url=str(thread.url))
        assert seen.description == says
        assert seen.canonical_url == f"{live_app.frontend}/post/{post_id}"
        assert 'property="og:type" content="article"' in thread.text
        assert thread.text.count('name="description"') == 1  # the page's own, not also the site's

        # The feeds the profile names, read as a feed reader reads them, on the same address.
        for _kind, href in feeds:
            feed = feedparser.parse(crawler.get(href).content)
            assert not feed.bozo and feed.entries[0].link == f"{live_app.frontend}/post/{post_id}"
        tag_page = crawler.get(f"/tag/{tag}").text.split("</head>")[0]
        assert f'href="{live_app.frontend}/feeds/tag/{tag}.rss"' in tag_page
        tag_feed = feedparser.parse(crawler.get(f"/feeds/tag/{tag}.atom").content)
        assert [entry.link for entry in tag_feed.entries] == [f"{live_app.frontend}/post/{post_id}"]

        robots = crawler.get("/robots.txt")
        assert robots.status_code == 200 and "Sitemap: " in robots.text
        sitemaps = crawler.get("/sitemap.xml")
        assert sitemaps.status_code == 200 and "/sitemaps/users-1.xml" in sitemaps.text
        assert f"/user/{ann}</loc>" in crawler.get("/sitemaps/users-1.xml").text

    # The live page keeps them: a browser (and its feed-finding extensions) sees the same head.
    page.goto(f"/user/{ann}")
    expect(page.locator(".profile-username")).to_have_text(ann)
    expect(page.locator("head link[rel=alternate]")).to_have_count(2)
    expect(page.locator('head meta[name="description"]').first).to_have_attribute(
        "content", f"Posts by {ann}"
    )


def test_every_page_has_a_description(live_app: RunningApp, new_page: NewPage) -> None:
    page = new_page()
    for path in ("/explore", "/login", "/register", "/search?q=x", "/no-such-page"):
        page.goto(path)
        description = page.locator('head meta[name="description"]')
        expect(description).not_to_have_count(0)
        assert (description.first.get_attribute("content") or "").strip(), path


def test_the_api_docs_work_on_the_public_address_with_nothing_from_elsewhere(
    live_app: RunningApp, new_page: NewPage
) -> None:
    page = new_page()
    elsewhere: list[str] = []
    page.on(
        "request",
        lambda request: (
            None if request.url.startswith(live_app.frontend) else elsewhere.append(request.url)
        ),
    )
    answer = page.goto("/api/docs")
    assert answer is not None and answer.status == 200
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Microblog API")
    expect(page.locator(".opblock").first).to_be_visible()  # the operations, from the schema
    assert elsewhere == []


def test_the_site_is_an_installable_web_app(live_app: RunningApp, new_page: NewPage) -> None:
    page = new_page()
    page.goto("/explore")
    expect(page.locator('head link[rel="manifest"]')).to_have_count(1)
    colours = page.locator('head meta[name="theme-color"]')
    expect(colours).to_have_count(2)
    media = {colours.nth(i).get_attribute("media") for i in range(2)}
    assert media == {"(prefers-color-scheme: light)", "(prefers-color-scheme: dark)"}

    cdp = page.context.new_cdp_session(page)
    read = cdp.send("Page.getAppManifest")
    assert read["url"] == f"{live_app.frontend}/manifest.webmanifest"
    assert read["errors"] == [], read["errors"]
    manifest = json.loads(read["data"])  # what Chromium read, and parsed without an error
    assert manifest["display"] == "standalone" and manifest["start_url"] == "/"
    # Chromium's installability check: nothing against the manifest, its icons or the page;
    # only that the test's browser context is an incognito one.
    installable = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
    assert [error["errorId"] for error in installable if error["errorId"] != "in-incognito"] == []
    sizes = {}
    for icon in manifest["icons"]:
        picture = page.request.get(icon["src"])
        assert picture.ok and picture.headers["content-type"] == "image/png", icon["src"]
        with Image.open(io.BytesIO(picture.body())) as image:
            sizes[icon["src"]] = image.size
            assert f"{image.width}x{image.height}" == icon["sizes"]
    assert any(icon["purpose"] == "maskable" for icon in manifest["icons"])
    favicon = page.request.get("/favicon.ico")
    assert favicon.ok
    with Image.open(io.BytesIO(favicon.body())) as icon:
        assert icon.format == "ICO"


def test_the_not_found_page_as_people_see_it(browser: Browser, live_app: RunningApp) -> None:
    """At a phone's and a desktop's size, in English and Chinese, light and dark: nothing
    sticks out, and axe finds nothing."""
    folder = screenshot_dir("web-citizen")
    headings = {"en": "Not Found", "zh": "未找到"}
    context = browser.new_context(base_url=live_app.frontend)
    page = context.new_page()
    page.goto("/no-such-page")
    for look in every_look(page):
        answer = page.goto("/no-such-page")
        assert answer is not None and answer.status == 404
        expect(page.get_by_role("heading", name=headings[look.lang])).to_be_visible()
        check_look(page, folder, look.name("not-found"))
    context.close()
