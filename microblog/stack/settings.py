"""The stack's settings, from the environment (and `.env`), with the defaults `make prod` uses.

These are the operator's knobs around the app's own settings (microblog/config.py): where the
site is (`PUBLIC_URL`), how many workers on which ports, where nginx listens and keeps its
files. `stack_environment` adds the defaults the app's settings get under the stack (production
mode, one trusted proxy, logs on stdout) to the environment every child process inherits.
"""

from __future__ import annotations

import os
import secrets
import shutil
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from dotenv import load_dotenv

from microblog.config import PROJECT_ROOT, ConfigError, check_public_url

DEFAULT_PUBLIC_URL = "http://localhost:8080"
DEFAULT_WORKER_PORT = 8001
LOOPBACK_NAMES = {"localhost", "127.0.0.1", "::1"}
SECRET_FILE = PROJECT_ROOT / "instance" / "secret_key"


@dataclass(frozen=True)
class StackSettings:
    public_url: str  # PUBLIC_URL, checked: scheme://host[:port]
    workers: int  # WEB_WORKERS
    first_port: int  # WEB_WORKER_PORT: workers listen on this port and the next ones
    worker_host: str  # WEB_WORKER_HOST: where workers listen (127.0.0.1; 0.0.0.0 in a container)
    upstream_host: str  # UPSTREAM_HOST: where nginx finds them (the worker host, or a name)
    listen_host: str  # LISTEN_HOST: nginx's address ("" = every interface)
    listen_port: int  # LISTEN_PORT: nginx's port (PUBLIC_URL's)
    web_dir: Path  # REFLEX_WEB_WORKDIR: the frontend build's folder
    run_dir: Path  # STACK_RUN_DIR: nginx's generated configuration, pid and temporary files
    nginx: str  # NGINX: the nginx binary
    access_log: str  # NGINX_ACCESS_LOG: a path, or "off"
    tls_certificate: str  # TLS_CERTIFICATE / TLS_CERTIFICATE_KEY: nginx terminates https
    tls_certificate_key: str
    trusted_hops: int  # TRUSTED_PROXY_HOPS the workers get (1: nginx)

    @property
    def ports(self) -> list[int]:
        return [self.first_port + i for i in range(self.workers)]

    @property
    def server_name(self) -> str:
        return urlsplit(self.public_url).hostname or "localhost"

    @property
    def static_root(self) -> Path:
        return self.web_dir / "build" / "client"


def _int(name: str, default: int, *, least: int = 0) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < least:
        msg = f"{name} must be a whole number of at least {least}: {raw!r}"
        raise ConfigError(msg)
    return int(raw)


def _default_listen_host(public_url: str) -> str:
    """A site named by a loopback address listens on loopback only; any other on every
    interface (that is what a public address is for)."""
    return "127.0.0.1" if urlsplit(public_url).hostname in LOOPBACK_NAMES else ""


def load_stack_settings() -> StackSettings:
    load_dotenv(PROJECT_ROOT / ".env", override=False)
    public_url = check_public_url(os.environ.get("PUBLIC_URL") or DEFAULT_PUBLIC_URL)
    parts = urlsplit(public_url)
    public_port = parts.port or (443 if parts.scheme == "https" else 80)
    worker_host = os.environ.get("WEB_WORKER_HOST", "").strip() or "127.0.0.1"
    listen_host = os.environ.get("LISTEN_HOST")
    return StackSettings(
        public_url=public_url,
        workers=_int("WEB_WORKERS", os.cpu_count() or 1, least=1),
        first_port=_int("WEB_WORKER_PORT", DEFAULT_WORKER_PORT, least=1),
        worker_host=worker_host,
        upstream_host=os.environ.get("UPSTREAM_HOST", "").strip()
        or ("127.0.0.1" if worker_host in ("0.0.0.0", "::") else worker_host),  # noqa: S104
        listen_host=(
            _default_listen_host(public_url) if listen_host is None else listen_host.strip()
        ),
        listen_port=_int("LISTEN_PORT", public_port, least=1),
        web_dir=Path(os.environ.get("REFLEX_WEB_WORKDIR") or PROJECT_ROOT / ".web-prod").absolute(),
        run_dir=Path(
            os.environ.get("STACK_RUN_DIR") or PROJECT_ROOT / "instance" / "stack"
        ).absolute(),
        nginx=os.environ.get("NGINX") or shutil.which("nginx") or "/usr/sbin/nginx",
        access_log=os.environ.get("NGINX_ACCESS_LOG") or "/dev/stdout",
        tls_certificate=os.environ.get("TLS_CERTIFICATE", "").strip(),
        tls_certificate_key=os.environ.get("TLS_CERTIFICATE_KEY", "").strip(),
        trusted_hops=_int("TRUSTED_PROXY_HOPS", 1),
    )


def _secret_key() -> str:
    """SECRET_KEY, or the one `make prod` made for this installation on its first start
    (instance/secret_key, readable by its owner only): one command gets a site, and its
    sessions and links survive restarts. Several hosts must share one SECRET_KEY instead."""
    if key := os.environ.get("SECRET_KEY"):
        return key
    if SECRET_FILE.exists():
        return SECRET_FILE.read_text().strip()
    SECRET_FILE.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    try:
        descriptor = os.open(SECRET_FILE, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it just now
        return SECRET_FILE.read_text().strip()
    with os.fdopen(descriptor, "w") as file:
        file.write(key + "\n")
    print(f"stack: made a SECRET_KEY for this installation in {SECRET_FILE}", flush=True)
    return key


def stack_environment(stack: StackSettings, *, secret: bool = True) -> None:
    """Set, in this process's environment (inherited by every child), what the app's settings
    default to under the stack. What the operator set stays as it is. Without `secret` (the
    frontend build, which signs nothing: a container image must not carry a key) no SECRET_KEY
    is made."""
    defaults = {
        "MICROBLOG_ENV": "production",
        "PUBLIC_URL": stack.public_url,
        "TRUSTED_PROXY_HOPS": str(stack.trusted_hops),
        # Several processes: one log stream (the terminal, journald, `docker logs`) rather than
        # several processes rotating one file.
        "LOG_TO_STDOUT": "1",
        "REFLEX_WEB_WORKDIR": str(stack.web_dir),
        "REFLEX_TELEMETRY_ENABLED": "false",
        "REFLEX_CHECK_LATEST_VERSION": "false",
    }
    if stack.workers > 1:
        # One scrape of any worker answers for all (microblog/metrics.py, multiprocess mode).
        defaults["PROMETHEUS_MULTIPROC_DIR"] = str(stack.run_dir / "metrics")
    for name, value in defaults.items():
        os.environ.setdefault(name, value)
    if folder := os.environ.get("PROMETHEUS_MULTIPROC_DIR", "").strip():
        Path(folder).mkdir(parents=True, exist_ok=True)  # prometheus_client writes at import
    # One port serves pages, websocket and API: Reflex's production mode.
    os.environ["REFLEX_ENV_MODE"] = "prod"
    if secret and os.environ["MICROBLOG_ENV"] not in {"dev", "development", "test"}:
        os.environ["SECRET_KEY"] = _secret_key()


def fresh_metrics_folder() -> None:
    """Empty PROMETHEUS_MULTIPROC_DIR before the workers start: values a previous run left
    there would be added in. (`prepare`, which runs before them under make prod and systemd.)"""
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR", "").strip()
    if not folder:
        return
    path = Path(folder)
    path.mkdir(parents=True, exist_ok=True)
    for stale in path.glob("*.db"):
        stale.unlink(missing_ok=True)
