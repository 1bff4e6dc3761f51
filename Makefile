# Developer shortcuts. The two commands that matter are in the README:
#   ./scripts/demo   sets everything up and serves the demo study
#   ./scripts/test   sets everything up and runs lint and the whole test suite

.PHONY: test lint format docs serve demo bench

test:
	./scripts/test

lint:
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/cog --check docs/cli.md docs/errors.md

format:
	.venv/bin/ruff format .
	.venv/bin/ruff check --fix .

docs:
	.venv/bin/cog -r docs/cli.md docs/errors.md

serve:
	.venv/bin/sociaparis serve --reload

demo:
	./scripts/demo

bench:
	for script in benchmarks/*.py; do .venv/bin/python "$$script" || exit 1; done
