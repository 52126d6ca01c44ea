#!/bin/sh
# Container entry point: apply migrations, then run the command (default: python -m bot serve).
# `migrate` is idempotent (a no-op when the schema is current). With several replicas, start one
# first or set MIGRATE_ON_START=false and run `python -m bot migrate` from a release job.
set -eu

if [ "${MIGRATE_ON_START:-true}" = "true" ] && [ "${1:-}" = "python" ] && [ "${3:-}" = "serve" ]; then
    python -m bot migrate
fi

exec "$@"
