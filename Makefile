# Developer entry points. Everything runs locally without Docker (docs: ARCHITECTURE.md §7);
# state lives under var/ (data, logs, pids, dev keys, Kafka jar cache).
.PHONY: install up down status token test contracts bench kafka-jars

install:
	@command -v uv >/dev/null 2>&1 || pip install uv
	@if [ -f uv.lock ]; then uv sync --frozen; else uv sync; fi

up: install
	uv run passerelle-dev up

down:
	uv run passerelle-dev down

status:
	uv run passerelle-dev status

# make token ROLE=cpip [ORG=<organisation id>] [SUBJECT=<sub>]
token:
	@test -n "$(ROLE)" || { echo "usage: make token ROLE=cpip [ORG=...] [SUBJECT=...]" >&2; exit 2; }
	@uv run passerelle-dev token "$(ROLE)" $(if $(ORG),--organisation "$(ORG)") $(if $(SUBJECT),--subject "$(SUBJECT)")

test: install
	uv run pytest

contracts:
	uv run python -m contracts.generate

bench:
	uv run python bench/run.py

kafka-jars:
	uv run python -c "from devinfra.kafka import ensure_jars; print(ensure_jars())"
