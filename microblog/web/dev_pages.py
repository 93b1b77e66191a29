"""Under `make run`, a page's status and head tags as production sends them.

In production the backend serves every page: an unknown address, user or post is answered 404
(with the app's Not Found page), and a profile's, a post's and a tag's head carry their own
tags (page_meta.py). Under `make run` the pages come from the frontend dev server, which knew
nothing of either: every address answered 200, so a link checker, a crawler or a test saw a
page where there was none.

The dev server now asks the backend, before it answers a page (the Vite plugin below, added by
dev_api_proxy.py's Reflex plugin): `/_dev/page?path=` says the status production would give
and the tags it would write into the head, and the dev server answers with them. The page
itself is the dev server's, so the app's Not Found page still shows. The answer tells nothing
production's own statuses and heads do not.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlmodel import Session

from microblog import routes
from microblog.db import run_read
from microblog.services.errors import NotFound
from microblog.services.posts import get_post
from microblog.services.users import find_user_by_username
from microblog.web.page_meta import head_tags

PATH = "/_dev/page"
router = APIRouter(include_in_schema=False)


def page_status(db: Session, path: str) -> int:
    """What production answers `path` with: 404 for no such page, user or post, else 200."""
    if not routes.is_page(path):
        return 404
    username = routes.profile_username(path)
    if username is not None and find_user_by_username(db, username) is None:
        return 404
    post_id = routes.thread_post_id(path)
    if post_id is not None:
        try:
            get_post(db, post_id=post_id)
        except NotFound:
            return 404
    return 200


@router.get(PATH)
async def dev_page(request: Request, path: str = "/") -> JSONResponse:
    """{"status": 200 or 404, "head": the tags production writes into this page's head}."""
    address = path.partition("?")[0] or "/"
    status = await run_read(lambda db: page_status(db, address))
    tags = await head_tags(address, request.headers.get("accept-language"))
    body = {"status": status, "head": tags.html() if tags and status == 200 else ""}
    return JSONResponse(body, headers={"Cache-Control": "no-store"})


# The dev server's side: a Vite plugin whose middleware runs before React Router's. For a
# GET of what can be a page (no file extension, not one of Vite's or the backend's own paths),
# it asks the backend, then lets the page be drawn as usual with that status and, before
# `</head>`, those tags. If the backend does not answer, the page goes out as it is.
VITE_PLUGIN = """
function microblogPages(backend) {
  const notPages = /^\\/(@|node_modules\\/|app\\/|assets\\/|_|api\\/|feeds\\/|sitemaps\\/)/;
  return {
    name: "microblog-pages",
    configureServer(server) {
      server.middlewares.use(async (req, res, next) => {
        const url = req.url || "/";
        const path = url.split("?")[0];
        if (req.method !== "GET" || notPages.test(path) || /\\.[^/]*$/.test(path)) return next();
        let page = null;
        try {
          const answer = await fetch(
            backend + "%(path)s?path=" + encodeURIComponent(url),
            { headers: { "accept-language": req.headers["accept-language"] || "" } },
          );
          page = answer.ok ? await answer.json() : null;
        } catch (error) {
          page = null;
        }
        if (!page) return next();
        const chunks = [];
        const writeHead = res.writeHead.bind(res);
        const write = res.write.bind(res);
        const end = res.end.bind(res);
        res.writeHead = (status, ...rest) => {
          const headers = rest.find((part) => part && typeof part === "object") || {};
          for (const name of Object.keys(headers)) {
            if (name.toLowerCase() === "content-length") delete headers[name];
          }
          res.removeHeader("content-length");
          return writeHead(status === 200 ? page.status : status, ...rest);
        };
        const keep = (chunk, encoding) => {
          if (chunk && typeof chunk !== "function") {
            chunks.push(Buffer.from(chunk, typeof encoding === "string" ? encoding : undefined));
          }
        };
        res.write = (chunk, encoding) => {
          keep(chunk, encoding);
          return true;
        };
        res.end = (chunk, encoding) => {
          keep(chunk, encoding);
          let body = Buffer.concat(chunks).toString("utf8");
          if (page.head) body = body.replace("</head>", page.head + "</head>");
          if (!res.headersSent) {
            res.removeHeader("content-length");
            res.statusCode = res.statusCode === 200 ? page.status : res.statusCode;
          }
          write(body);
          return end();
        };
        next();
      });
    },
  };
}
""".replace("%(path)s", PATH)
