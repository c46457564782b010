# OSCE Portal. `make run` for a first look (SQLite), `make test` for the whole suite (PostgreSQL).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/osceportal

.PHONY: run test test-services install install-dev migrate load serve lint format lock clean bench bench-scale \
	bench-faults bench-import bench-replica bench-alerts bench-signoff bench-desk backup restore

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# Installs exactly the locked set (hashes checked); re-runs only when a lock changes.
$(VENV)/.installed: requirements.lock | $(VENV)/bin/python
	$(PY) -m pip install --quiet --require-hashes --no-deps -r requirements.lock
	touch $@

$(VENV)/.installed-dev: requirements-dev.lock | $(VENV)/bin/python
	$(PY) -m pip install --quiet --require-hashes --no-deps -r requirements-dev.lock
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# First look: debug on, SQLite in the project folder, reference data, demo news and events loaded.
run: export DJANGO_DEBUG ?= 1
run: install
	$(PY) manage.py compile_catalogues
	$(PY) manage.py migrate --no-input
	$(PY) manage.py load_reference_data
	$(PY) manage.py import_news osceportal/data/demo_news.jsonl
	$(PY) manage.py import_events osceportal/data/demo_events.jsonl
	$(PY) manage.py runserver $(HOST):$(PORT)

# What the suite needs beyond Python: Debian's Chromium for the browser tests (never a browser
# download), GNU gettext for the translation catalogues (makemessages, msgfmt), PostgreSQL and
# Redis running. Each step does nothing when it is already so.
test-services:
	@[ -x /usr/bin/chromium ] || { apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }
	@command -v msgfmt >/dev/null || { apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gettext >/dev/null; }
	@pg_isready -h 127.0.0.1 -p 5432 -q || \
		pg_ctlcluster --skip-systemctl-redirect "$$(ls /etc/postgresql | head -n 1)" main start
	@for i in $$(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
	@redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 || \
		redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no

# --dist worksteal: an idle worker takes tests queued for the other, so the slow browser and fuzz
# tests do not leave one core idle at the end (2,098 tests: 9 min 40 s against 11 min 36 s and
# 12 min 5 s with xdist's default distribution on the same 2-core machine, 1 December 2026).
test: install-dev test-services
	DATABASE_URL=$(TEST_DATABASE_URL) $(PY) -m pytest -n 2 --dist worksteal

# Production-like serving; needs DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS, DATABASE_URL.
serve: install
	$(PY) manage.py compile_catalogues
	$(PY) manage.py collectstatic --no-input
	$(VENV)/bin/gunicorn osceportal.wsgi --bind $(HOST):$(PORT) --workers 2 --worker-class sync

# Load test with production settings on PostgreSQL (needs wrk and Redis); not part of `make test`.
# BENCH_COUNT (default 100000), BENCH_DURATION, BENCH_CONNECTIONS, ...: see bench/README.md.
bench: install
	DJANGO_DEBUG=1 $(PY) manage.py compile_catalogues
	$(PY) -m bench.run

# Uncached at 10,000 and 100,000 items, and how each median grows.
bench-scale: install
	BENCH_SCALE=$${BENCH_SCALE:-10000,100000} $(PY) -m bench.run

# The site under load while PostgreSQL restarts and Redis stops (bench/README.md, "Faults").
# Uses a PostgreSQL and a Redis of its own, made for the run; arguments: FAULTS_ARGS.
bench-faults: install
	$(PY) -m bench.faults $(FAULTS_ARGS)

# Public reads on a streaming replica, with the primary alone and with the replica, then the site
# under load while the replica is killed and started again (bench/README.md, "Replicas"). Uses a
# PostgreSQL primary and standby of its own, made for the run; REPLICA_COUNT items (20,000).
bench-replica: install
	$(PY) -m bench.replica --count $${REPLICA_COUNT:-20000} $(REPLICA_ARGS)

# import_news on a generated 100,000-line file in a PostgreSQL database of its own: lines/s for
# creates, unchanged and updates, and peak memory (bench/README.md, "Import").
bench-import: install
	$(PY) -m bench.import_bench

# Email alerts for 10,000 subscribers when 100 items are published, sent by two passes at once to
# a real SMTP server: time, messages, duplicates (bench/README.md, "Email alerts").
bench-alerts: install-dev
	$(PY) -m bench.alerts_bench

# Joint items at archive scale: the migration that records the sign-offs of 100,000 items, and
# the back office of a co-issuer with 200 items awaiting it (bench/README.md, "Joint items").
bench-signoff: install
	$(PY) -m bench.signoff_bench

# The editor's desk at 1,000,000 items (BENCH_DESK_COUNT), shelf by shelf for an editor, a
# publisher and a manager: each query's time and plan (bench/README.md, "Desk at 1,000,000 items").
bench-desk: install
	$(PY) -m bench.desk_bench

# pg_dump of DATABASE_URL's database and tars of MEDIA_ROOT and PRIVATE_MEDIA_ROOT into backups/<timestamp>/.
backup: install
	$(PY) manage.py backup

# Into the configured (empty) database and media folders; FORCE=1 replaces what they hold.
restore: install
	@[ -n "$(BACKUP)" ] || { echo "usage: make restore BACKUP=backups/<timestamp> [FORCE=1]"; exit 2; }
	$(PY) manage.py restore "$(BACKUP)" $(if $(filter 1,$(FORCE)),--force)

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install-dev
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# Re-pin every dependency after editing pyproject.toml (needs uv: pip install uv).
lock:
	uv pip compile pyproject.toml --python-version 3.11 --generate-hashes -o requirements.lock
	uv pip compile pyproject.toml --extra dev --python-version 3.11 --generate-hashes -o requirements-dev.lock

clean:
	rm -rf $(VENV) staticfiles db.sqlite3
