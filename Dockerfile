# mentorbot: `mentorbot serve` on port 3000 (migrates the database, then serves /healthz, /readyz
# and, with the SLACK_* settings passed in, Slack on /slack/events). With PostgreSQL, the
# ready-made deploy/compose.yaml and deploy/kubernetes/ use this image.
#
#   docker build -t mentorbot .
#   docker run --rm -p 3000:3000 -v mentorbot-data:/data mentorbot
#
# With no DATABASE_URL the SQLite file lives in the /data volume. For PostgreSQL, pass
#   -e DATABASE_URL=postgresql+asyncpg://USER:PASSWORD@HOST:5432/mentorbot
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    MPLCONFIGDIR=/tmp/matplotlib \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# An unprivileged user, and the data directory it owns (created before VOLUME so the
# ownership carries over to a fresh named volume).
RUN groupadd --system --gid 10001 mentorbot \
    && useradd --system --uid 10001 --gid mentorbot --home-dir /app --shell /usr/sbin/nologin mentorbot \
    && mkdir -p /data \
    && chown mentorbot:mentorbot /data

# The exact versions the tests passed with (requirements/runtime.lock, written by `make lock`),
# then the project itself without resolving anything again. The source is only needed for the build.
COPY requirements/runtime.lock /tmp/runtime.lock
RUN pip install -r /tmp/runtime.lock && rm /tmp/runtime.lock
COPY pyproject.toml README.md /tmp/src/
COPY mentorbot /tmp/src/mentorbot
COPY bot /tmp/src/bot
COPY adapters /tmp/src/adapters
COPY scheduler /tmp/src/scheduler
COPY storage /tmp/src/storage
RUN pip install --no-deps /tmp/src && rm -rf /tmp/src
# The translations (bot/i18n/catalogs.py looks here when the source tree is not beside the code).
COPY locales /usr/local/share/mentorbot/locales

WORKDIR /app
ENV DATABASE_URL=sqlite+aiosqlite:////data/mentorbot.db
# What people typed, kept until the database takes it: on the volume, to outlive the container.
ENV SPOOL_FILE=/data/mentorbot-spool.db
VOLUME ["/data"]
USER mentorbot

EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:3000/healthz', timeout=4)"]

CMD ["mentorbot", "serve", "--host", "0.0.0.0", "--port", "3000"]
