# Developer entry points. Everything runs locally without Docker (docs: ARCHITECTURE.md §7);
# state lives under var/ (data, logs, pids, dev keys, Kafka jar cache).
.PHONY: install web-assets up down demo-reset status token test unit faults lint format contracts bench bench-tools kafka-jars audit-deps

# uv from PATH, else the one pip installs (a fresh pyenv may not have rehashed its shims yet).
UV := $(shell command -v uv 2>/dev/null || echo python3 -m uv)

install: web-assets
	@$(UV) --version >/dev/null 2>&1 || python3 -m pip install --quiet uv
	$(UV) sync --frozen

# The web front-end's DSFR and htmx: npm packages pinned by services/web/package-lock.json, copied into the
# app's static folder (git-ignored; no CDN, no committed bundles). axe-core, for the browser tests only, is
# read from node_modules. npm ci runs again only when the lock changed (ADR 32).
WEB := services/web
WEB_VENDOR := $(WEB)/src/web/static/vendor
DSFR := $(WEB)/node_modules/@gouvfr/dsfr/dist

web-assets: $(WEB_VENDOR)/.vendored

$(WEB_VENDOR)/.vendored: $(WEB)/package-lock.json
	cd $(WEB) && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	rm -rf $(WEB_VENDOR) && mkdir -p $(WEB_VENDOR)/dsfr/utility
	cp -R $(DSFR)/dsfr.min.css $(DSFR)/dsfr.module.min.js $(DSFR)/dsfr.nomodule.min.js \
		$(DSFR)/fonts $(DSFR)/icons $(DSFR)/favicon $(WEB_VENDOR)/dsfr/
	cp -R $(DSFR)/utility/icons $(WEB_VENDOR)/dsfr/utility/
	cp $(WEB)/node_modules/htmx.org/dist/htmx.min.js $(WEB_VENDOR)/
	touch $@

up: install
	$(UV) run passerelle-dev up

down:
	$(UV) run passerelle-dev down

# The demo establishment again: everything stopped, the local PostgreSQL's and Kafka's data deleted (keys, logs
# and the Kafka jars kept), then up, which loads a fresh demo into the empty system (devinfra.demo).
demo-reset: install
	$(UV) run passerelle-dev reset
	$(UV) run passerelle-dev up

status:
	$(UV) run passerelle-dev status

# make token ROLE=cpip [ORG=<organisation id>] [SUBJECT=<sub>]
token:
	@test -n "$(ROLE)" || { echo "usage: make token ROLE=cpip [ORG=...] [SUBJECT=...]" >&2; exit 2; }
	@$(UV) run passerelle-dev token "$(ROLE)" $(if $(ORG),--organisation "$(ORG)") $(if $(SUBJECT),--subject "$(SUBJECT)")

# Two workers (pytest-xdist), a file each at a time: each starts its own PostgreSQL and Kafka, and while one
# waits on the broker the other computes. Then the fault tests (kill -9, a broker lost, the drill) alone, as
# they always ran: under the other worker's load one of them once saw a live service as exited (not yet
# understood). PYTEST_WORKERS=0 runs the first part in this process.
PYTEST_WORKERS ?= 2
test: install
	$(UV) run pytest -n $(PYTEST_WORKERS) --dist loadfile --ignore=tests/faults
	$(UV) run pytest tests/faults

# The fast loop: every test that needs no PostgreSQL and no Kafka (rules, contracts, route policies).
unit: install
	$(UV) run pytest -m "not integration" -q

# The fault drill: every service, the broker and the database knocked over under load (docs/operations.md).
faults: install
	$(UV) run python -m devinfra.drill

lint:
	$(UV) run ruff check
	$(UV) run ruff format --check

format:
	$(UV) run ruff format
	$(UV) run ruff check --fix

contracts:
	$(UV) run python -m contracts.generate

# Known vulnerabilities in every locked dependency (ADR 21): the lock exported as hashed requirements, audited
# by a pinned pip-audit against PyPI's advisories; --strict fails if any package could not be checked.
audit-deps:
	@mkdir -p var
	$(UV) export --frozen --all-packages --no-emit-workspace --format requirements-txt --quiet \
		--output-file var/audited-requirements.txt
	$(UV) tool run --from "pip-audit==2.10.1" pip-audit --strict --disable-pip --require-hashes \
		--progress-spinner off --requirement var/audited-requirements.txt

# BENCH_PEOPLE=1000 make bench: a smaller generated year (5,000 people, about 1 M events, by default; 0: none).
bench: bench-tools
	$(UV) run python bench/run.py

# wrk (Debian's) measures the bench's HTTP reads; installed when missing, as .ci/run installs Java and Maven.
# Without it the bench reads through its own Python client, and its table says so.
bench-tools:
	@command -v wrk >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq --no-install-recommends wrk; } \
		|| echo "wrk could not be installed: the bench measures file reads with its Python client"

kafka-jars:
	$(UV) run python -c "from devinfra.kafka import ensure_jars; print(ensure_jars())"
