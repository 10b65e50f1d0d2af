# Auskunft: the Streamlit interface and the ingestion workers (see docker-compose.yml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    HF_HUB_OFFLINE=1 \
    HAYSTACK_TELEMETRY_ENABLED=False \
    DO_NOT_TRACK=1 \
    AUSKUNFT_DATA_DIR=/data

# OCR with German data, PDF rendering, file type detection, curl for health checks
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        tesseract-ocr tesseract-ocr-deu poppler-utils libmagic1 curl \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml requirements.lock README.md ./
COPY connectors ./connectors
COPY ingest ./ingest
COPY search ./search
COPY ui ./ui
# the runtime only: no dev extras (test tools, the local LLM server build)
RUN pip install --no-cache-dir -c requirements.lock . \
    && pip install --no-cache-dir --no-deps unstructured-inference==1.6.14

RUN useradd --create-home --uid 1000 auskunft && mkdir -p /data && chown auskunft /data
USER auskunft
VOLUME ["/data"]
EXPOSE 8501 8700

CMD ["auskunft", "ui", "--host", "0.0.0.0", "--port", "8501", "--headless"]
