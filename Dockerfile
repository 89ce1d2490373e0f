FROM python:3.11-slim

ENV PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN useradd --create-home --uid 10001 desk && mkdir -p /data /config && chown desk /data
WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
RUN pip install .

USER desk
# The database lives on a volume; point storage.path at /data/desk.sqlite3 in the config.
VOLUME ["/data"]
# The token comes from the environment: docker run -e BOT_TOKEN=... -v desk-data:/data
#   -v $PWD/config.yaml:/config/config.yaml:ro report-desk
CMD ["python", "-m", "bot", "--config", "/config/config.yaml"]
