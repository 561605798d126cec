# Nianbao — the two commands: `make run` (set up, crawl the registry, serve) and `make test` (set up, test).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DB ?= archive.db
PORT ?= 8001
APT_PACKAGES := chromium fonts-wqy-microhei redis-server antiword libreoffice-writer-nogui tesseract-ocr tesseract-ocr-chi-sim
STAMP := $(VENV)/.installed
# pywb, the replay tool the WACZ test drives, pins redis<3 (the crawler needs redis 8): its own venv.
REPLAY_VENV := .venv-replay
REPLAY_STAMP := $(REPLAY_VENV)/.installed

.PHONY: setup system-packages run test lint demo bench clean

setup: system-packages $(STAMP)

# Debian packages the tests and the normalizer use: headless Chromium + a CJK font for the browser tests,
# redis-server for distributed crawling; LibreOffice (headless) converts legacy .doc reports to DOCX, antiword
# is its fallback; tesseract (+ chi_sim) is the OCR engine bench/ocr.py measures against RapidOCR (PyPI).
system-packages:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

$(REPLAY_STAMP): requirements-replay.txt
	$(PYTHON) -m venv $(REPLAY_VENV)
	$(REPLAY_VENV)/bin/pip install -q -r requirements-replay.txt
	touch $(REPLAY_STAMP)

run: setup
	$(BIN)/nianbao nightly --db $(DB) || echo "nightly exited with $$? (see 'nianbao status'); serving what the archive holds"
	$(BIN)/nianbao serve --db $(DB) --port $(PORT)

demo: setup
	$(BIN)/nianbao demo --port $(PORT)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: setup $(REPLAY_STAMP) lint
	$(BIN)/pytest -q

bench: setup
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) $(REPLAY_VENV) build *.egg-info .pytest_cache .ruff_cache
