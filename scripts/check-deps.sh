#!/usr/bin/env bash
# Fails when a module includes another it does not declare, declares one it does not use,
# breaks the layering order, or uses a third-party library outside its module (see
# scripts/check-deps.py for the rules).
set -euo pipefail
exec /usr/bin/python3 "$(dirname "$0")/check-deps.py" "$@"
