# racines: the CLI and the HTTP service, installed exactly as README.md says.
FROM python:3.11-slim

ENV UV_PYTHON_DOWNLOADS=never \
    UV_LINK_MODE=copy \
    PYTHONUNBUFFERED=1

WORKDIR /racines

# Dependencies first (cached layer), then the project.
COPY pyproject.toml uv.lock README.md ./
RUN pip install uv && uv sync --frozen --no-install-project

COPY app ./app
COPY solver ./solver
COPY geodata ./geodata
COPY scenarios ./scenarios
RUN uv sync --frozen

# The service runs as an unprivileged user: the installed code (root-owned) is read-only to
# it; it writes only its data folder /data (job database, travel and gazetteer caches).
RUN useradd --system --uid 10001 --home-dir /data --create-home --shell /usr/sbin/nologin racines
ENV PATH="/racines/.venv/bin:$PATH" \
    RACINES_CACHE_DIR=/data \
    XDG_CACHE_HOME=/data/cache \
    HOME=/data
VOLUME ["/data"]
USER racines

EXPOSE 8000
# `docker run IMAGE racines plan --out /data/out` runs the CLI; the default is the service.
CMD ["racines", "serve", "--host", "0.0.0.0", "--port", "8000"]
