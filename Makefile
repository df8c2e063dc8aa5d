# The two commands of the README: `make dev` (local API on 127.0.0.1:9000) and `make test`.
SHELL := /bin/bash
export PATH := $(CURDIR)/.venv/bin:$(PATH)
export SAM_CLI_TELEMETRY := 0

.PHONY: setup dev test lint bench

## Install cargo-lambda, cfn-lint, the SAM CLI (.venv) and DynamoDB Local (.dynamodb), once.
setup:
	@bash .ci/setup

## Local API: the API Gateway paths on http://127.0.0.1:9000, rebuilt on change, with DynamoDB
## Local on 127.0.0.1:8000 behind it. Variables such as ANONYMOUS_MAX_COUNT or HIBP_API_URL set in
## the environment reach the functions.
dev: setup
	bash .ci/dev

## Every check and test: formatting, clippy, the template and the OpenAPI spec, unit/HTTP/deployment
## tests, the store tests against DynamoDB Local, the end-to-end test through cargo lambda watch,
## the template's permissions against the AWS calls those suites recorded, and schemathesis
## against the local stack (.ci/contract).
test: setup lint
	rm -rf target/aws-calls
	cargo test --workspace
	cargo test -p integration-tests --test permissions -- --ignored
	bash .ci/contract

lint: setup
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets -- -D warnings
	cfn-lint template.yaml
	sam validate --lint
	openapi-spec-validator openapi.yaml

## Benchmarks (optimised build): each target with its measured value and a ratio against a
## baseline measured in the same run. See BENCHMARKS.md.
bench: setup
	mkdir -p target/bench-node
	cp tests/bench/node/package.json tests/bench/node/package-lock.json target/bench-node/
	npm ci --prefix target/bench-node --no-audit --no-fund --loglevel=error
	cargo build --release --workspace --bins
	cargo run --release -p integration-tests --example bench
