# Entry points. Everything a fresh machine needs is set up by these targets (see README).
SHELL := /bin/bash
PY := .venv/bin/python
UV ?= $(shell command -v uv || echo $$HOME/.cache/kinerja-asn/uv-0.13.9/bin/uv)
KEYS := .run/keys
export UV_PYTHON_DOWNLOADS := never
# KAFKA_BOOTSTRAP_SERVERS / MONGODB_URL are deliberately not set here: when they are unset, the local
# stack is started and used (the services default to its addresses); when set, those servers are used.
export AUTH_PUBLIC_KEY_FILE ?= $(CURDIR)/$(KEYS)/jwt-public.pem
export AUTH_ISSUER ?= kinerja-asn-local
MONGO ?= secantusdb

.PHONY: run test down bootstrap stack-up stack-down stack-status stack-reset keys lint typecheck imports \
        unit pytest conformance bench bench-reporting bench-system token lock compose-secrets prometheus screenshots

## run: set up, start Kafka + the Mongo-wire server and the four services; Ctrl-C or `make down` stops them;
## `make run DEMO=small` (tiny, small, city) also loads a demo city and prints whom to sign in as
run: bootstrap stack-up keys
	@$(PY) deploy/local/run_services.py --stop-stack $(if $(DEMO),--demo $(DEMO))

## test: set up, lint, type-check, import contracts, then the whole pytest suite against a fresh test
## stack of its own (own ports and folder, wiped at the start, stopped at the end; see `pytest`)
test: bootstrap keys lint typecheck imports pytest

## down: stop the services started by `make run` and the local stack
down:
	@if [ -f .run/pids/services.pid ]; then kill -TERM $$(cat .run/pids/services.pid) 2>/dev/null || true; \
	  for i in $$(seq 1 120); do [ -f .run/pids/services.pid ] || break; sleep 0.5; done; fi
	@python3 deploy/local/stack.py down

bootstrap:
	@scripts/bootstrap.sh

stack-up:
	@python3 deploy/local/stack.py up

stack-down:
	@python3 deploy/local/stack.py down

stack-status:
	@python3 deploy/local/stack.py status

## stack-reset: stop the stack and wipe its data (Kafka log, Mongo-wire server files)
stack-reset:
	@python3 deploy/local/stack.py reset

## prometheus: a local Prometheus (Debian's, fetched once) scraping `make run`'s services with the alert
## rules, on http://127.0.0.1:9090 (data in .run/prometheus); Ctrl-C stops it
prometheus:
	@tools=$$(python3 deploy/local/stack.py prometheus | tail -1) && mkdir -p .run/prometheus && \
	  echo "Prometheus on http://127.0.0.1:9090 (alerts: http://127.0.0.1:9090/alerts)" && \
	  $$tools/prometheus --config.file=deploy/prometheus/local.yml --storage.tsdb.path=.run/prometheus \
	    --web.listen-address=127.0.0.1:9090

## compose-secrets: random passwords (once) for docker-compose.yml, in .run/compose-secrets/
compose-secrets:
	@python3 deploy/local/stack.py compose-secrets

keys: bootstrap
	@$(PY) -c "from pathlib import Path; from shared.token import ensure_local_keypair; ensure_local_keypair(Path('$(KEYS)'))"
	@$(PY) -c "import base64, os; f = '$(KEYS)/portal-session.key'; os.path.exists(f) or \
	  os.write(os.open(f, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), base64.b64encode(os.urandom(32)))"

lint: bootstrap
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .

typecheck: bootstrap
	.venv/bin/mypy -p shared -p appraisal -p training -p notification -p reporting -p portal -p kinerja_demo -p kinerja_testing
	MYPYPATH=deploy/local:deploy/kafka .venv/bin/mypy deploy/local/stack.py deploy/local/cluster.py deploy/local/run_services.py deploy/kafka/kafka_admin.py deploy/kafka/acls.py
	.venv/bin/mypy tests shared/tests services/appraisal/tests services/training/tests services/notification/tests services/reporting/tests webapp/tests demo/tests bench examples

imports: bootstrap
	.venv/bin/lint-imports --no-cache

## pytest: the pytest suite against the test stack instance (`stack.py --instance test run`), which never
## touches the data of `make run`; with KAFKA_BOOTSTRAP_SERVERS/MONGODB_URL set, against those servers
pytest: bootstrap keys
	@python3 deploy/local/stack.py --instance test run -- .venv/bin/pytest $(PYTEST_ARGS)

## conformance: the storage conformance suite against a local Mongo-wire server on a fresh test
## instance, e.g. `make conformance MONGO=ferretdb` (secantusdb, ferretdb or mongo-java-server)
conformance: bootstrap
	@KINERJA_MONGO_SERVER=$(MONGO) python3 deploy/local/stack.py --instance test run -- .venv/bin/pytest tests/storage $(PYTEST_ARGS)

## bench: the storage benchmark on its own fresh stack instance; writes bench/results/storage.{json,md}
bench: bootstrap keys
	@python3 deploy/local/stack.py --instance bench run -- .venv/bin/python bench/storage.py $(BENCH_ARGS)

## bench-reporting: the reporting benchmark (issue 12) on its own fresh stack instance; writes
## bench/results/reporting.{json,md}
bench-reporting: bootstrap keys
	@python3 deploy/local/stack.py --instance bench run -- .venv/bin/python bench/reporting.py $(BENCH_ARGS)

## bench-system: the whole-system benchmark (issue 15): the four services as processes on a fresh bench instance,
## a demo city, e2e latency at 50/s, the end-of-year burst, consumers against their ceilings, API latency under 50
## clients, the reporting replay; writes bench/results/system.{json,md}. BENCH_ARGS="--size small" (default city)
bench-system: bootstrap keys
	@python3 deploy/local/stack.py --instance bench run -- .venv/bin/python bench/system.py $(BENCH_ARGS)

## screenshots: regenerate docs/screenshots (the portal's main pages at phone and desktop widths, each
## checked with axe-core) on the test stack instance
screenshots: bootstrap keys
	@PORTAL_SCREENSHOTS_DIR=$(CURDIR)/docs/screenshots python3 deploy/local/stack.py --instance test run -- \
	  .venv/bin/pytest -q -p no:cacheprovider webapp/tests/test_screenshots.py

## unit: only the tests that need no infrastructure
unit: bootstrap
	.venv/bin/pytest -m "not infra" $(PYTEST_ARGS)

## token: mint a local bearer token, e.g. `make token NIP=198609262015051001 ROLE=pegawai,pejabat_penilai`; an admin OPD adds OPD=DINKES (the Wali Kota: NIP=PPK ROLE=ppk); refuses a token every service would refuse
token: keys
	@$(PY) -m shared.token --nip '$(NIP)' --role '$(ROLE)' $(if $(OPD),--opd '$(OPD)') --keys-dir $(KEYS)

## lock: re-resolve dependencies and rewrite the hashed pin files (uv.lock stays out of git)
lock: bootstrap
	$(UV) lock
	$(UV) export --format requirements-txt --no-emit-workspace --no-dev --no-header -o requirements.txt
	$(UV) export --format requirements-txt --no-emit-workspace --all-groups --no-header -o requirements-dev.txt
