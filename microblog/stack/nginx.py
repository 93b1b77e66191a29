"""nginx's configuration, written from the templates in deploy/nginx/ (the one place it is
described) with this installation's values.

- `site_config`: the site (the workers' upstream, the public server, the redirect of every
  other host name), used as it is by `make prod`, the containers and a Linux host's own nginx
  (`python -m microblog.stack nginx-site > /etc/nginx/sites-available/microblog`);
- `main_config`: the rest of an nginx.conf for running nginx in the foreground without the
  system's configuration (`make prod`, the containers).

The security headers of what nginx sends itself (the static files, the redirect, the error
page) are the app's own (web/security_headers.py `header_lines`), written in here.
"""

from __future__ import annotations

import os
import pwd
import re
from pathlib import Path

from microblog.config import PROJECT_ROOT, PublicAddresses, get_settings
from microblog.services.media.store import CACHE_CONTROL, CONTENT_TYPES
from microblog.stack.settings import StackSettings
from microblog.web.security_headers import header_lines
from microblog.web.upload_limit import upload_limit

TEMPLATES = PROJECT_ROOT / "deploy" / "nginx"
_PLACEHOLDER = re.compile(r"\{\{ (\w+) \}\}")
MIME_TYPES = "/etc/nginx/mime.types"


def render(template: str, values: dict[str, str]) -> str:
    """`{{ name }}` replaced by its value; a name without a value is an error, not a blank."""

    def value_of(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in values:
            msg = f"nginx template: no value for {{{{ {name} }}}}"
            raise KeyError(msg)
        return values[name]

    return _PLACEHOLDER.sub(value_of, template)


def _quoted(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def security_header_lines(
    addresses: PublicAddresses, indent: str = "        ", skip: tuple[str, ...] = ()
) -> str:
    headers, _docs = header_lines(addresses)
    return "\n".join(
        f"{indent}add_header {name} {_quoted(value)} always;"
        for name, value in headers
        if name not in skip
    )


def _listen(stack: StackSettings, *, default: bool) -> str:
    tls = " ssl" if stack.tls_certificate else ""
    flags = tls + (" default_server" if default else "")
    if stack.listen_host:
        host = f"[{stack.listen_host}]" if ":" in stack.listen_host else stack.listen_host
        return f"    listen {host}:{stack.listen_port}{flags};"
    return f"    listen {stack.listen_port}{flags};\n    listen [::]:{stack.listen_port}{flags};"


def _tls(stack: StackSettings) -> str:
    if not stack.tls_certificate:
        return "    # TLS: none here (plain http, or terminated in front of nginx)."
    return (
        f"    ssl_certificate {stack.tls_certificate};\n"
        f"    ssl_certificate_key {stack.tls_certificate_key};\n"
        "    ssl_protocols TLSv1.2 TLSv1.3;"
    )


def media_location(media_dir: str, *, local: bool, headers: str = "") -> str:
    """Uploaded pictures of the local store straight from its folder, as web/media_files.py
    serves them (a content-hash name, so immutable; the type from the extension, nosniff, a
    sandbox for anyone opening one as a page): the workers never spend time sending files.
    With S3 the pictures come from the bucket's address and there is nothing to serve."""
    if not local:
        return "    # Uploaded pictures: in S3 (MEDIA_STORAGE_URL), read from the bucket's address."
    types = " ".join(f"{kind} {extension};" for extension, kind in CONTENT_TYPES.items())
    extensions = "|".join(CONTENT_TYPES)
    return f"""    # Uploaded pictures (MEDIA_DIR): from disk, as web/media_files.py sends them.
    location ~ "^/media/(([0-9a-f]{{2}})[0-9a-f]{{62}}\\.({extensions}))$" {{
        alias {media_dir}/$2/$1;
        types {{ {types} }}
        default_type application/octet-stream;
        add_header Cache-Control "{CACHE_CONTROL}" always;
        add_header X-Content-Type-Options "nosniff" always;
        add_header Content-Security-Policy "default-src 'none'; sandbox" always;
        add_header Cross-Origin-Resource-Policy "cross-origin" always;
{headers}
    }}"""


def site_config(stack: StackSettings) -> str:
    addresses = PublicAddresses(site=stack.public_url, backend=stack.public_url)
    settings = get_settings()
    servers = "\n".join(
        f"    server {stack.upstream_host}:{port} max_fails=1 fail_timeout=3s;"
        for port in stack.ports
    )
    values = {
        "public_url": stack.public_url,
        "upstream_servers": servers,
        "listen": _listen(stack, default=False),
        "listen_default": _listen(stack, default=True),
        "server_name": stack.server_name,
        "tls": _tls(stack),
        "security_headers": security_header_lines(addresses),
        "static_root": str(stack.static_root),
        "error_root": str(TEMPLATES),
        # The app's own cap on an upload (web/upload_limit.py), so that the app, not nginx,
        # answers a request over it, with its own message.
        "max_body_size": str(upload_limit()),
        "trusted_hops": str(stack.trusted_hops),
        "media": media_location(
            settings.media_dir,
            local=not settings.media_storage_url,
            headers=security_header_lines(
                addresses, skip=("content-security-policy", "x-content-type-options")
            ),
        ),
    }
    return render((TEMPLATES / "microblog.conf.template").read_text(), values)


def _user_line() -> str:
    """nginx started as root hands its workers to an unprivileged user; otherwise it runs as
    whoever started it (a container's user), and the directive would only warn."""
    if os.geteuid() != 0:
        return "# (not root: nginx's workers run as the user that started it)"
    for name in ("www-data", "nginx", "nobody"):
        try:
            pwd.getpwnam(name)
        except KeyError:
            continue
        return f"user {name};"
    return "# (no unprivileged user found)"


def main_config(stack: StackSettings, site_conf: Path) -> str:
    values = {
        "user": _user_line(),
        "nginx_workers": "auto",
        "run_dir": str(stack.run_dir),
        "mime_types": MIME_TYPES,
        "access_log": stack.access_log,
        "site_conf": str(site_conf),
    }
    return render((TEMPLATES / "nginx.conf.template").read_text(), values)


def write_configs(stack: StackSettings) -> Path:
    """Write both files into the run folder; the main one's path, for `nginx -c`."""
    stack.run_dir.mkdir(parents=True, exist_ok=True)
    site = stack.run_dir / "microblog.conf"
    site.write_text(site_config(stack))
    main = stack.run_dir / "nginx.conf"
    main.write_text(main_config(stack, site))
    return main
