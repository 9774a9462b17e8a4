# One image with the mock tiers, for the kind stack. It is built and then
# loaded into the kind cluster (pytest-kind's load_docker_image), never pushed anywhere.
#   docker build -t conformance-doubles:dev .
#   python -m fixtures.tiers vllm|ollama|openai --host 0.0.0.0 --port P   (see manifests/kind/tiers.yaml)
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PYTHONPATH=/app
WORKDIR /app
COPY requirements-doubles.txt .
RUN pip install --no-cache-dir -r requirements-doubles.txt
COPY fixtures/ fixtures/
RUN useradd --uid 10001 --no-create-home doubles
USER 10001
ENTRYPOINT ["python"]
CMD ["-m", "fixtures.tiers", "--help"]
