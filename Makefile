# The two commands of the README: `make dev` (local API on 127.0.0.1:9000) and `make test`.
SHELL := /bin/bash
export PATH := $(CURDIR)/.venv/bin:$(PATH)
export SAM_CLI_TELEMETRY := 0

.PHONY: setup dev test lint bench build-arm64 deploy admin accuracy

## Install cargo-lambda, cfn-lint, the SAM CLI (.venv) and DynamoDB Local (.dynamodb), once.
setup:
	@bash .ci/setup

## Local API: the API Gateway paths on http://127.0.0.1:9000, rebuilt on change, with DynamoDB
## Local on 127.0.0.1:8000 behind it. Variables such as ANONYMOUS_MAX_COUNT or HIBP_API_URL set in
## the environment reach the functions.
dev: setup
	bash .ci/dev

## The operator's tool on `make dev`'s table: make admin ARGS="plans list" (README: "Operators'
## guide"; for a deployed table run it with --table NAME instead of --local).
admin:
	@cargo run --quiet -p passwordapi-admin -- --local $(ARGS)

## The estimator's accuracy on Golla and Dürmuth's LinkedIn reference (tests/accuracy/), beside
## zxcvbn 4.4.2's published figures, which it reproduces first (also part of make test).
accuracy:
	cargo test -p integration-tests --test accuracy -- --nocapture

## Every check and test: formatting, clippy, the template and the OpenAPI spec, unit/HTTP/deployment
## tests, the store tests against DynamoDB Local, the end-to-end test through cargo lambda watch,
## the template's permissions against the AWS calls those suites recorded, schemathesis against
## the local stack (.ci/contract), and the deploy rehearsal: the arm64 artifacts of
## `make build-arm64`, each booted under qemu-user and sent its routes' events.
test: setup lint
	rm -rf target/aws-calls
	cargo test --workspace
	cargo test -p integration-tests --test permissions -- --ignored
	bash .ci/contract
	$(MAKE) --no-print-directory build-arm64
	cargo test -p integration-tests --test rehearsal -- --ignored --nocapture

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

## The functions for AWS Lambda as the deployment builds them: `sam build` (cargo lambda build
## --release --arm64, per function) into .aws-sam/build. ~10 minutes from clean on 2 cores.
build-arm64: setup
	@rustup target list --installed | grep -qx aarch64-unknown-linux-gnu || { \
	  echo "build-arm64: the aarch64-unknown-linux-gnu Rust target is missing: rustup target add aarch64-unknown-linux-gnu" >&2; exit 2; }
	sam build

## Build, then deploy to the AWS account of your credentials: `make deploy` asks for the stack's
## settings the first time (sam deploy --guided) and saves them in samconfig.toml;
## `make deploy CONFIG_ENV=ci` deploys with that environment's saved settings.
deploy: build-arm64
	@python3 -c 'import boto3, sys; sys.exit(0 if boto3.Session().get_credentials() else 1)' 2>/dev/null || { \
	  echo "deploy: no AWS credentials found: run aws configure (or set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)" >&2; exit 2; }
	sam deploy $(if $(CONFIG_ENV),--config-env $(CONFIG_ENV),--guided)
