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

EXPOSE 8000
# `docker run IMAGE racines plan --out /out` runs the CLI; the default is the service.
ENTRYPOINT ["uv", "run", "--frozen"]
CMD ["racines", "serve", "--host", "0.0.0.0", "--port", "8000"]
