# tipbot: a slim image, non-root, SQLite on the /data volume by default.
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
COPY pyproject.toml README.md ./
COPY tipbot ./tipbot
COPY content ./content
RUN pip install . \
    && useradd --create-home --uid 10001 tipbot \
    && mkdir -p /data \
    && chown tipbot:tipbot /data

USER tipbot
# No secrets here: TIPBOT_TOKEN (and a database password) come from the environment at run time.
ENV TIPBOT_DATABASE_URL=sqlite+aiosqlite:////data/tipbot.db \
    TIPBOT_CONTENT=/app/content/tips.yaml
VOLUME ["/data"]
CMD ["tipbot", "run"]
