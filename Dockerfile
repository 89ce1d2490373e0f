FROM python:3.11-slim

# REPORT_DESK_MONITORING turns /healthz on at 127.0.0.1 inside the container when the
# configuration has no monitoring section, so that HEALTHCHECK always has something to ask.
ENV PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
    REPORT_DESK_MONITORING=127.0.0.1:9464
RUN useradd --create-home --uid 10001 desk \
    && mkdir -p /data /config && chown desk /data && chmod 700 /data
WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
RUN pip install .

USER desk
# The working directory is the data volume: relative paths in the configuration (the default
# storage.path data/desk.sqlite3, backup.dir backups) land in it.
WORKDIR /data
VOLUME ["/data"]
# The configuration is a folder mounted read-only (compose.yaml): an editor that replaces
# config.yaml on the host is still seen by the live reload.
HEALTHCHECK --interval=30s --timeout=15s --start-period=60s --retries=3 \
    CMD ["python", "-m", "bot", "health", "--config", "/config/config.yaml"]
CMD ["python", "-m", "bot", "--config", "/config/config.yaml"]
