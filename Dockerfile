# syntax=docker/dockerfile:1
# Microblog's production image (README, "Deploying"): the same commands `make prod` runs.
#
#   docker build --build-arg PUBLIC_URL=https://microblog.example.com -t microblog .
#   docker run -p 8080:8080 -e DATABASE_URL=... -e REDIS_URL=... microblog   (or compose.yaml)
#
# The build stage installs the pinned Python packages (PyICU is compiled there, against
# Debian's ICU) and bun from the npm registry, and builds the frontend once with
# `python -m microblog.stack build`; the frontend is built for one PUBLIC_URL (written into the
# pages), so another address needs another build. The runtime stage is Python slim with
# Debian's nginx and ICU, no compiler, no bun, no Node, and runs as an unprivileged user.

ARG PYTHON_VERSION=3.11
ARG PUBLIC_URL=http://localhost:8080

FROM python:${PYTHON_VERSION}-slim-bookworm AS build
ARG PUBLIC_URL
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        libicu-dev pkg-config g++ npm \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY requirements.txt constraints.txt ./
RUN python -m venv .venv \
    && .venv/bin/pip install --no-cache-dir -r requirements.txt -c constraints.txt
RUN mkdir .tools && cd .tools && npm install --no-audit --no-fund bun@1.4.5
COPY . .
ENV PUBLIC_URL=${PUBLIC_URL} \
    REFLEX_WEB_WORKDIR=/app/.web-prod
RUN .venv/bin/python -m microblog translate compile \
    && .venv/bin/python -m microblog.stack build

FROM python:${PYTHON_VERSION}-slim-bookworm AS runtime
ARG PUBLIC_URL
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends nginx libicu72 \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin microblog
WORKDIR /app
COPY --from=build /app/.venv .venv
COPY --from=build /app/rxconfig.py /app/alembic.ini ./
COPY --from=build /app/alembic alembic
COPY --from=build /app/reflex.lock reflex.lock
COPY --from=build /app/deploy deploy
COPY --from=build /app/assets assets
COPY --from=build /app/microblog microblog
COPY --from=build /app/.web-prod/build .web-prod/build
COPY --from=build /app/.web-prod/backend .web-prod/backend
RUN mkdir -p instance logs \
    && chown -R microblog:microblog instance logs .web-prod assets
ENV PATH=/app/.venv/bin:$PATH \
    PUBLIC_URL=${PUBLIC_URL} \
    REFLEX_WEB_WORKDIR=/app/.web-prod \
    STACK_RUN_DIR=/tmp/microblog-stack \
    LISTEN_HOST=0.0.0.0 \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1
USER microblog
EXPOSE 8080
VOLUME ["/app/instance"]
HEALTHCHECK --interval=15s --timeout=6s --start-period=120s --retries=3 \
    CMD ["python", "-m", "microblog.stack", "healthcheck"]
CMD ["python", "-m", "microblog.stack", "run"]
