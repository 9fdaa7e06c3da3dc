# tipbot: a slim image, non-root, SQLite on the /data volume by default.
# The base image is pinned to a patch release; the dependencies to requirements.lock (with hashes).
FROM python:3.12.12-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
# Dependencies first (their own layer, rebuilt only when the lock changes), then the bot itself.
COPY requirements.lock ./
RUN pip install --no-cache-dir --require-hashes -r requirements.lock
COPY pyproject.toml README.md ./
COPY tipbot ./tipbot
COPY content ./content
RUN pip install --no-cache-dir --no-deps . \
    && useradd --create-home --uid 10001 tipbot \
    && mkdir -p /data \
    && chown 10001:10001 /data

# Numeric, so that Kubernetes' runAsNonRoot and the host's file ownership can check it.
USER 10001:10001
# No secrets here: TIPBOT_TOKEN (and a database password) come from the environment at run time.
ENV TIPBOT_DATABASE_URL=sqlite+aiosqlite:////data/tipbot.db \
    TIPBOT_CONTENT=/app/content/tips.yaml \
    TIPBOT_PORT=8080
VOLUME ["/data"]
# /healthz and /metrics (and the webhook, when TIPBOT_WEBHOOK_URL is set) on this port.
EXPOSE 8080
# 200 when the database answers and the delivery sweep is running; urlopen fails on 503.
# (python, not curl: the slim image has no curl.)
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request as r; r.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('TIPBOT_PORT', '8080'), timeout=4)"]
# Exec form: tipbot is PID 1 and gets SIGTERM itself, for a graceful stop.
CMD ["tipbot", "run"]
