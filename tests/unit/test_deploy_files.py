"""The ways to run Microblog in production run the same commands: `make prod`, the Dockerfile,
compose.yaml and the systemd units all call `python -m microblog.stack ...`, with arguments its
parser accepts. Images cannot be pulled on these machines, so compose.yaml is checked with
Debian's docker-compose (`config`), the Dockerfile by reading it, and nginx's configuration
by nginx itself (`nginx -t`); the stack itself runs in tests/e2e/test_production.py."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from microblog.config import PROJECT_ROOT
from microblog.stack.__main__ import parser
from microblog.stack.nginx import main_config, media_location, site_config
from microblog.stack.settings import StackSettings
from microblog.web.upload_limit import upload_limit

STACK = ["python", "-m", "microblog.stack"]


def _stack_calls(text: str) -> list[list[str]]:
    """Every `python -m microblog.stack ...` in shell-like lines of `text`, as argv after
    the module (the interpreter's path, where given, reduced to `python`)."""
    calls = []
    for line in text.splitlines():
        if line.lstrip().startswith("#"):
            continue  # a comment about a command is not the command
        for match in re.finditer(r"\S*python3?\s+-m\s+microblog\.stack\b([^;&|\\\n]*)", line):
            calls.append(shlex.split(match.group(1)))
    return calls


def _json_form(text: str, instruction: str) -> list[list[str]]:
    """The exec-form arguments of CMD / HEALTHCHECK ... CMD lines of a Dockerfile."""
    import json

    found = []
    for match in re.finditer(rf"{instruction}[^\[]*(\[.*?\])", text, re.DOTALL | re.MULTILINE):
        found.append(json.loads(match.group(1)))
    return found


def _parses(argv: list[str]) -> str:
    return str(parser().parse_args(argv).command)


def test_make_prod_runs_the_stack() -> None:
    makefile = (PROJECT_ROOT / "Makefile").read_text()
    recipe = makefile.split("\nprod:", 1)[1].split("\n\n", 1)[0]
    assert _stack_calls(recipe) == [["run"]]


def test_the_dockerfile_builds_and_runs_with_the_same_commands() -> None:
    dockerfile = (PROJECT_ROOT / "Dockerfile").read_text()
    stages = re.findall(r"^FROM \S+ AS (\w+)", dockerfile, re.MULTILINE)
    assert stages == ["build", "runtime"]
    build, runtime = dockerfile.split("AS runtime", 1)
    assert "bun@" in build and _stack_calls(build) == [["build"]]
    assert "npm" not in runtime and "bun" not in runtime  # no JavaScript toolchain at run time
    (cmd,) = [c for c in _json_form(runtime, r"^CMD") if c[:3] == STACK]
    assert cmd[3:] == ["run"]  # what make prod runs
    (health,) = _json_form(runtime, r"HEALTHCHECK")
    assert health[:3] == STACK and _parses(health[3:]) == "healthcheck"
    user = re.findall(r"^USER (\S+)", runtime, re.MULTILINE)
    assert user and user[-1] not in ("root", "0")
    assert "nginx" in runtime  # Debian's, as on a host


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((PROJECT_ROOT / "compose.yaml").read_text())


def test_compose_has_the_whole_stack_on_the_stacks_commands(compose: dict) -> None:
    services = compose["services"]
    assert set(services) == {"db", "redis", "elasticsearch", "app", "nginx"}
    assert re.search(r"elasticsearch:9\.", services["elasticsearch"]["image"])
    assert services["app"]["command"] == [*STACK, "run", "--workers-only"]
    assert services["nginx"]["command"] == [*STACK, "run", "--nginx-only"]
    for name in ("app", "nginx"):
        assert _parses(services[name]["command"][3:]) == "run"
        assert services[name]["build"]["context"] == "."
    health = services["app"]["healthcheck"]["test"]
    assert health[1:4] == STACK and _parses(health[4:]) == "healthcheck"
    assert services["app"]["environment"]["WEB_WORKERS"].startswith("${WEB_WORKERS")
    # nginx sends the uploaded pictures from the app's folder: the same volume, read only.
    assert "instance:/app/instance" in services["app"]["volumes"]
    assert "instance:/app/instance:ro" in services["nginx"]["volumes"]


def test_compose_file_is_valid_for_docker_compose() -> None:
    """Debian's docker-compose reads and resolves the file (no image is pulled)."""
    binary = shutil.which("docker-compose")
    if binary is None:
        pytest.skip("docker-compose is not installed (Debian: apt-get install docker-compose)")
    done = subprocess.run(
        [binary, "-f", "compose.yaml", "config"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=False,
        env={"PATH": "/usr/bin:/bin", "WEB_WORKERS": "3"},
    )
    assert done.returncode == 0, done.stderr
    resolved = yaml.safe_load(done.stdout)["services"]
    assert resolved["app"]["environment"]["WEB_WORKERS"] == "3"
    assert resolved["nginx"]["ports"][0]["published"] in (8080, "8080")


def test_the_systemd_units_run_the_stacks_commands() -> None:
    units = PROJECT_ROOT / "deploy" / "systemd"
    starts = {
        path.name: re.findall(r"^ExecStart=(.*)$", path.read_text(), re.MULTILINE)
        for path in units.glob("*.service")
    }
    assert set(starts) == {"microblog-prepare.service", "microblog-worker@.service"}
    commands = {  # %i is the unit's instance: the port
        name: [_parses(call) for line in lines for call in _stack_calls(line.replace("%i", "8001"))]
        for name, lines in starts.items()
    }
    assert commands == {
        "microblog-prepare.service": ["prepare"],
        "microblog-worker@.service": ["worker"],
    }
    assert "--port %i" in starts["microblog-worker@.service"][0]
    target = (units / "microblog.target").read_text()
    assert "microblog-worker@8001.service" in target


def _stack(tmp_path: Path, **changes: object) -> StackSettings:
    (tmp_path / "web" / "build" / "client").mkdir(parents=True, exist_ok=True)
    values: dict[str, object] = {
        "public_url": "http://localhost:8080",
        "workers": 2,
        "first_port": 8001,
        "worker_host": "127.0.0.1",
        "upstream_host": "127.0.0.1",
        "listen_host": "127.0.0.1",
        "listen_port": 8080,
        "web_dir": tmp_path / "web",
        "run_dir": tmp_path / "run",
        "nginx": shutil.which("nginx") or "/usr/sbin/nginx",
        "access_log": "off",
        "tls_certificate": "",
        "tls_certificate_key": "",
        "trusted_hops": 1,
    }
    values.update(changes)
    return StackSettings(**values)  # type: ignore[arg-type]


def test_the_site_names_every_worker_and_the_public_host(tmp_path: Path) -> None:
    site = site_config(_stack(tmp_path, workers=3, first_port=9001))
    assert re.findall(r"server 127\.0\.0\.1:(\d+)", site) == ["9001", "9002", "9003"]
    assert (
        "server_name localhost;" in site and "return 308 http://localhost:8080$request_uri;" in site
    )
    assert "frame-ancestors 'none'" in site and "strict-transport-security" not in site
    https = site_config(_stack(tmp_path, public_url="https://blog.example.org", listen_host=""))
    assert "strict-transport-security" in https and "listen [::]:8080;" in https
    assert "{{" not in site + https
    # The app's upload cap decides, not nginx's (whose refusal would be a bare page).
    assert f"client_max_body_size {upload_limit()};" in site


def test_local_pictures_come_from_disk_and_s3_ones_from_the_bucket(tmp_path: Path) -> None:
    local = media_location("/srv/media", local=True, headers="        add_header X 1 always;")
    assert "alias /srv/media/$2/$1;" in local and "image/webp webp;" in local
    assert "sandbox" in local and "nosniff" in local and "immutable" in local
    assert "add_header X 1 always;" in local  # the site's other headers too
    assert "location" not in media_location("/srv/media", local=False)


@pytest.mark.parametrize("tls", [False, True])
def test_nginx_accepts_the_configuration(tmp_path: Path, tls: bool) -> None:
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx).exists():
        pytest.skip("nginx is not installed (make prod installs it)")
    changes: dict[str, object] = {}
    if tls:
        if shutil.which("openssl") is None:
            pytest.skip("openssl is not installed")
        cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
        subprocess.run(
            [
                *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes"),
                *("-subj", "/CN=localhost", "-days", "1", "-keyout", str(key), "-out", str(cert)),
            ],
            check=True,
            capture_output=True,
        )
        changes = {"tls_certificate": str(cert), "tls_certificate_key": str(key)}
        changes["public_url"] = "https://localhost:8443"
    stack = _stack(tmp_path, **changes)
    stack.run_dir.mkdir(parents=True)
    site = stack.run_dir / "microblog.conf"
    site.write_text(site_config(stack))
    main = stack.run_dir / "nginx.conf"
    main.write_text(main_config(stack, site))
    done = subprocess.run(
        [nginx, "-t", "-c", str(main), "-e", "stderr"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
