# One task runner. `make run` sets up and serves the product; `make test` sets up and runs the tests.
PY ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
WHEELS ?= $(HOME)/.cache/layer8/wheels
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false
export ANONYMIZED_TELEMETRY := False

.PHONY: setup setup-local test test-integration lint typecheck bench eval run model clean

$(BIN)/layer8: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip setuptools wheel
	$(BIN)/pip install -q -e '.[dev]'
	touch $(BIN)/layer8

setup: $(BIN)/layer8

# The embedded LLM: llama.cpp compiled once (~8 min on 2 cores) into a wheel cache, then reused.
setup-local: setup
	mkdir -p $(WHEELS)
	ls $(WHEELS)/llama_cpp_python-0.3.36-*.whl >/dev/null 2>&1 || \
	  CMAKE_ARGS="-DGGML_NATIVE=OFF" $(BIN)/pip wheel --no-deps llama-cpp-python==0.3.36 -w $(WHEELS)
	$(BIN)/pip install -q --find-links $(WHEELS) -e '.[dev,local]'

model: setup-local
	$(BIN)/layer8 model install

# The real embedded model: tool calls and plain answers (tests marked `integration`).
test-integration: model
	$(BIN)/pytest -q -m integration

test: setup
	bash scripts/test.sh

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	PYTHONPATH=. $(BIN)/lint-imports  # benchmarks/ is not installed: import the packages from here

typecheck: setup
	$(BIN)/mypy cli composition seeding assistant retrieval tools channels evals network ossbss

bench: setup
	$(BIN)/python benchmarks/run_all.py

eval: setup
	$(BIN)/layer8 eval all --model fake --out reports/eval

# `model warm` evaluates the prompt prefix every conversation shares into a state file under var/cache/llm
# (tens of seconds the first time, under a second after), so the server's first reply does not pay for it.
run: model
	$(BIN)/layer8 init
	$(BIN)/layer8 seed --subscribers 200 --seed 7 --if-empty
	$(BIN)/layer8 index rebuild
	$(BIN)/layer8 model warm
	$(BIN)/layer8 serve --demo-sign-in  # ends by printing one-time sign-in links (web chat, console)

clean:
	rm -rf $(VENV) var reports

# A loopback cluster of real engines: chroma run, layer8 model serve, two API nodes behind a balancer, two
# workers on Redis, the relay and the TMF stub, on PostgreSQL (README "A loopback cluster"). Ctrl-C stops it.
.PHONY: cluster
cluster: setup
	bash scripts/cluster/start.sh
