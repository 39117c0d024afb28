#!/usr/bin/env bash
# Static checks of the deployment files (Dockerfile, .dockerignore, docker-compose.yml, deploy/helm/conveyor) with
# tools that install from Debian or npm, WITHOUT a Docker engine or a Kubernetes cluster.
#
#   bash deploy/check-deploy.sh          # or: npm run check:deploy
#   CHECK_DEPLOY_VERBOSE=1 bash deploy/check-deploy.sh   # list every passing invariant too
#
# Always (needs python3 with PyYAML; Debian: python3-yaml): the invariants in deploy/check_deploy.py.
# When installed: `docker-compose config -q` (Debian: docker-compose) or `docker compose config -q`;
#                 `helm lint --strict` and `helm template` (helm on PATH, or HELM=/path/to/helm);
#                 the rendered manifests against the Kubernetes and KEDA schemas (deploy/validate-manifests.mjs: node and
#                 the npm devDependencies kubernetes-models, @kubernetes-models/keda and yaml, i.e. after `npm ci`).
# Prints what was checked and what was skipped and why; exits non-zero on a real problem.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
CHART=deploy/helm/conveyor
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

CHECKED=()
SKIPPED=()
FAILED=()

section() { printf '\n=== %s\n' "$*"; }
# run_check LABEL CMD...: runs CMD, files LABEL under checked or failed.
run_check() {
  local label=$1
  shift
  if "$@"; then CHECKED+=("$label"); else FAILED+=("$label"); fi
}
skip() {
  SKIPPED+=("$1: $2")
  echo "  skipped: $1 ($2)"
}

# ---- python3 with PyYAML: needed for every invariant ------------------------------------------------------------------
PY=""
for cand in "${PYTHON:-}" python3 /usr/bin/python3; do
  [ -n "$cand" ] || continue
  if command -v "$cand" >/dev/null 2>&1 && "$cand" -c 'import yaml' >/dev/null 2>&1; then
    PY=$(command -v "$cand")
    break
  fi
done
if [ -z "$PY" ]; then
  echo "check-deploy: needs python3 with PyYAML to check anything (Debian: apt-get install -y python3-yaml)" >&2
  exit 2
fi
echo "check-deploy: python $("$PY" -c 'import sys, yaml; print(sys.version.split()[0], "PyYAML", yaml.__version__)')"

# ---- Dockerfile -------------------------------------------------------------------------------------------------------
section "Dockerfile and .dockerignore"
run_check "Dockerfile + .dockerignore invariants" "$PY" deploy/check_deploy.py dockerfile
skip "docker build" "building the image needs a Docker engine; this is a static check"

# ---- docker-compose.yml -----------------------------------------------------------------------------------------------
section "docker-compose.yml"
if command -v docker-compose >/dev/null 2>&1; then
  echo "  docker-compose $(docker-compose version --short 2>/dev/null || echo '?') config -q"
  run_check "docker-compose config -q (compose file schema, interpolation, anchors)" \
    docker-compose -f docker-compose.yml config -q
elif docker compose version >/dev/null 2>&1; then
  echo "  docker compose config -q"
  run_check "docker compose config -q (compose file schema, interpolation, anchors)" \
    docker compose -f docker-compose.yml config -q
else
  skip "compose schema validation" "neither docker-compose (Debian package docker-compose) nor the docker compose plugin is installed"
fi
run_check "compose invariants (scalable inference, env, depends_on, healthchecks, ports, volumes)" \
  "$PY" deploy/check_deploy.py compose
if command -v docker-compose >/dev/null 2>&1; then
  run_check "docker-compose --profile observability config -q" docker-compose -f docker-compose.yml --profile observability config -q
elif docker compose version >/dev/null 2>&1; then
  run_check "docker compose --profile observability config -q" docker compose -f docker-compose.yml --profile observability config -q
fi
run_check "observability profile (Prometheus scrape config, Grafana datasource and dashboard, Jaeger over OTLP)" \
  "$PY" deploy/check_deploy.py observability

# ---- Helm chart -------------------------------------------------------------------------------------------------------
section "Helm chart ($CHART)"
run_check "chart sources (Chart.yaml, values.yaml, values.schema.json, no tabs, includes, .Values paths)" \
  "$PY" deploy/check_deploy.py chart

HELM_BIN=${HELM:-helm}
if command -v "$HELM_BIN" >/dev/null 2>&1; then
  echo "  helm $("$HELM_BIN" version --short 2>/dev/null || echo '?')"
  # Each scenario: --set values, given to helm and to the rendered-output checks alike (no commas in values).
  SCENARIOS=(
    "secrets.brokerUrl=amqp://u:p@rabbitmq.example:5672 secrets.databaseUrl=postgres://u:p@postgres.example:5432/conveyor secrets.apiKeys=tok-ci:tenant-ci"
    "secrets.existingSecret=conveyor-secrets inference.autoscaling.enabled=true inference.concurrency=8 streaming.service.enabled=true"
    "secrets.existingSecret=conveyor-secrets migrations.enabled=false gateway.replicas=4 inference.replicas=6"
    "secrets.existingSecret=conveyor-secrets inference.autoscaling.keda.enabled=true"
    "secrets.brokerUrl=amqp://u:p@rabbitmq.example:5672 secrets.databaseUrl=postgres://u:p@postgres.example:5432/conveyor secrets.apiKeys=tok-ci:tenant-ci secrets.rabbitmqManagementUrl=http://u:p@rabbitmq.example:15672/%2F inference.autoscaling.keda.enabled=true inference.autoscaling.keda.bands.high=2 podDisruptionBudget.enabled=false metrics.scrapeAnnotations=false"
    "secrets.existingSecret=conveyor-secrets inference.autoscaling.keda.enabled=true inference.autoscaling.keda.source=prometheus inference.autoscaling.enabled=true"
  )
  VALIDATE=""
  if command -v node >/dev/null 2>&1 && node deploy/validate-manifests.mjs /dev/null >/dev/null 2>&1; then
    VALIDATE=1
  else
    skip "Kubernetes schema validation" "node or the npm devDependencies kubernetes-models, @kubernetes-models/keda and yaml are missing (npm ci)"
  fi
  i=0
  for scenario in "${SCENARIOS[@]}"; do
    i=$((i + 1))
    read -r -a pairs <<<"$scenario"
    sets=()
    for kv in "${pairs[@]}"; do sets+=(--set "$kv"); done
    run_check "helm lint --strict (scenario $i)" "$HELM_BIN" lint --strict --quiet "$CHART" "${sets[@]}"
    if "$HELM_BIN" template conveyor "$CHART" --namespace conveyor "${sets[@]}" >"$TMP/render-$i.yaml" 2>"$TMP/render-$i.err"; then
      CHECKED+=("helm template (scenario $i)")
      run_check "rendered manifests (scenario $i: ${scenario})" "$PY" deploy/check_deploy.py rendered "$TMP/render-$i.yaml" "${pairs[@]}"
      if [ -n "$VALIDATE" ]; then
        run_check "Kubernetes/KEDA schemas (scenario $i)" node deploy/validate-manifests.mjs "$TMP/render-$i.yaml"
      fi
    else
      cat "$TMP/render-$i.err" >&2
      FAILED+=("helm template (scenario $i)")
    fi
  done
  # KEDA's RabbitMQ scaler needs the management API: without an existingSecret the chart asks for its URL.
  if "$HELM_BIN" template conveyor "$CHART" --set secrets.brokerUrl=amqp://u:p@r:5672 --set secrets.databaseUrl=postgres://u:p@d/c \
    --set secrets.apiKeys=k:t --set inference.autoscaling.keda.enabled=true >/dev/null 2>"$TMP/keda.err"; then
    FAILED+=("helm template with KEDA (rabbitmq) but no secrets.rabbitmqManagementUrl should fail, but rendered")
  elif grep -q 'secrets.rabbitmqManagementUrl is required' "$TMP/keda.err"; then
    CHECKED+=("helm template refuses KEDA's RabbitMQ scaler without the management API URL")
  else
    cat "$TMP/keda.err" >&2
    FAILED+=("helm template with KEDA failed for another reason than the missing management URL")
  fi
  # Without an existingSecret the chart must refuse to render until the connection strings are given.
  if "$HELM_BIN" template conveyor "$CHART" >/dev/null 2>"$TMP/required.err"; then
    FAILED+=("helm template without secrets.brokerUrl/databaseUrl should fail, but rendered")
  elif grep -q 'secrets.brokerUrl is required' "$TMP/required.err"; then
    CHECKED+=("helm template refuses to render without the external RabbitMQ/PostgreSQL URLs")
  else
    cat "$TMP/required.err" >&2
    FAILED+=("helm template without secrets failed for another reason than the missing URLs")
  fi
else
  skip "helm lint / helm template" "no helm binary: Debian does not package it (set HELM=/path/to/helm, or let .ci/run fetch one)"
fi

# ---- Summary ----------------------------------------------------------------------------------------------------------
section "Summary"
for c in ${CHECKED[@]+"${CHECKED[@]}"}; do echo "  checked: $c"; done
for s in ${SKIPPED[@]+"${SKIPPED[@]}"}; do echo "  skipped: $s"; done
for f in ${FAILED[@]+"${FAILED[@]}"}; do echo "  FAILED:  $f"; done
if [ "${#FAILED[@]}" -gt 0 ]; then
  echo "check-deploy: ${#FAILED[@]} problem(s)" >&2
  exit 1
fi
echo "check-deploy: ok (${#CHECKED[@]} checked, ${#SKIPPED[@]} skipped)"
