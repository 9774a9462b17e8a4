# One image with the mock tiers, for the kind stack. It is built and then
# loaded into the kind cluster (pytest-kind's load_docker_image), never pushed anywhere.
#   docker build -t conformance-doubles:dev .
#   python -m fixtures.doubles.tiers vllm|ollama|openai --host 0.0.0.0 --port P  (manifests/kind/tiers.yaml)
# Only what the tiers import is copied (tests/unit/test_doubles_image.py walks the import closure).
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PYTHONPATH=/app
WORKDIR /app
COPY requirements-doubles.txt .
RUN pip install --no-cache-dir -r requirements-doubles.txt
COPY fixtures/__init__.py fixtures/
COPY fixtures/core/__init__.py fixtures/core/errors.py fixtures/core/
COPY fixtures/corpus/ fixtures/corpus/
COPY fixtures/doubles/ fixtures/doubles/
RUN useradd --uid 10001 --no-create-home doubles
USER 10001
ENTRYPOINT ["python"]
CMD ["-m", "fixtures.doubles.tiers", "--help"]
