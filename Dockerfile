# One image for every role (ROLE=receiver|worker|all). Untested here: the build machine has a Docker
# client but no daemon and no registry access (README, "Many workers").
FROM python:3.11-slim
# rapidocr's opencv needs libGL; the rest is wheels.
RUN apt-get update -qq && apt-get install -y -qq --no-install-recommends libgl1 libglib2.0-0 \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY knowledge ./knowledge
# torch pinned first, as the Makefile does, from PyTorch's CPU index (PyPI's Linux wheel is the multi-GB
# CUDA build), then the project.
RUN pip install --no-cache-dir --index-url https://download.pytorch.org/whl/cpu torch==2.13.0 \
    && pip install --no-cache-dir .
ENV DATA_DIR=/data
CMD ["python", "-m", "bot", "run"]
