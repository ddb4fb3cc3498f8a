# Two commands on a fresh machine: `make run` (the bot) and `make test` (lint + tests).
# Both create .venv and install what they need: the CPU build of torch first (an
# unpinned torch would pull a multi-GB CUDA build), then the project.

VENV    ?= .venv
PYTHON  ?= python3
PY      := $(VENV)/bin/python
STAMP   := $(VENV)/.installed-stamp

.PHONY: run test lint eval eval-minilm bench bench-faults bench-images eval-screenshots screenshots install clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet torch==2.13.0
	$(PY) -m pip install --quiet -e '.[dev]'
	$(PY) -c "import cv2"  # rapidocr's opencv-python needs libGL.so.1 (Debian: apt-get install libgl1)
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(PY) -m bot run

lint: $(STAMP)
	$(VENV)/bin/ruff check bot tests scripts

test: lint
	$(PY) -m pytest -q

DEV_SET  := data/eval/dev.jsonl+data/eval/dev_realworld.jsonl
TEST_SET := data/eval/test.jsonl+data/eval/test_realworld.jsonl

eval: $(STAMP)
	$(PY) scripts/evaluate.py $(DEV_SET) $(TEST_SET)

eval-minilm: $(STAMP)
	EMBEDDING_BACKEND=sentence-transformers $(PY) scripts/evaluate.py $(DEV_SET) $(TEST_SET)

bench: $(STAMP)
	$(PY) scripts/bench_check.py

# 2,000 private users + 1,000 group messages through the emulator with 429s, 5xx, resets and a held
# SQLite write lock; then the same burst with a SIGTERM in the middle (see the script's docstring).
bench-faults: $(STAMP)
	$(PY) scripts/bench_faults.py

bench-images: $(STAMP)
	$(PY) scripts/bench_images.py

eval-screenshots: $(STAMP)
	$(PY) scripts/evaluate_screenshots.py --assess

# Redraws tests/fixtures/images and data/eval/screenshots (needs: apt-get install -y fonts-wqy-microhei).
screenshots: $(STAMP)
	$(PY) scripts/draw_screenshots.py

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
