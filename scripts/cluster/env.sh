# Settings of the loopback cluster (`make cluster`, Procfile.cluster), sourced by every process in it.
# Each may be set before `make cluster` to override it; the LAYER8_* ones are the product's own settings.
: "${CLUSTER_HOME:=var/cluster}"           # chroma's files, the seeding marker, each process's LAYER8_HOME
: "${CLUSTER_PORT:=8000}"                  # the load balancer: the one address clients use
: "${CLUSTER_API1_PORT:=8011}"             # the two API nodes (layer8 serve) behind it
: "${CLUSTER_API2_PORT:=8012}"
: "${CLUSTER_CHROMA_PORT:=8001}"           # chroma run
: "${CLUSTER_MODEL_PORT:=8400}"            # layer8 model serve
: "${CLUSTER_TMF_PORT:=8654}"              # the TM Forum stub (layer8 tmf-stub)
: "${CLUSTER_MODEL:=embedded}"             # embedded (needs `make model`) or fake (rule-following, instant)
: "${CLUSTER_SUBSCRIBERS:=200}"            # the demo network seeded once into an empty database
: "${CLUSTER_SEED_FLAGS:=}"                # e.g. --no-history for a quicker first start
export CLUSTER_HOME CLUSTER_PORT CLUSTER_API1_PORT CLUSTER_API2_PORT CLUSTER_CHROMA_PORT CLUSTER_MODEL_PORT
export CLUSTER_TMF_PORT CLUSTER_MODEL CLUSTER_SUBSCRIBERS CLUSTER_SEED_FLAGS

export LAYER8_HOME="${LAYER8_HOME:-$CLUSTER_HOME/home}"
export LAYER8_DATABASE_URL="${LAYER8_DATABASE_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/layer8_cluster}"
export LAYER8_QUEUE_URL="${LAYER8_QUEUE_URL:-redis://127.0.0.1:6379/3}"  # turns queued by the nodes, run by workers
export LAYER8_CHROMA_URL="http://127.0.0.1:$CLUSTER_CHROMA_PORT"
export LAYER8_LLM_PROVIDER=openai                                       # every node and worker: the model server
export LAYER8_LLM_BASE_URL="http://127.0.0.1:$CLUSTER_MODEL_PORT/v1"
export LAYER8_LLM_MODEL="${LAYER8_LLM_MODEL:-layer8}"
export LAYER8_LLM_ROUTE_HINTS="${LAYER8_LLM_ROUTE_HINTS:-true}"                 # the router's hints travel to the model server
if [ "$CLUSTER_MODEL" != fake ]; then
  # the embedded model gets one tool round per turn in process too (assistant settings: 1 for local)
  export LAYER8_AGENT_TOOL_ROUNDS="${LAYER8_AGENT_TOOL_ROUNDS:-1}"
fi
export LAYER8_BSS_ADAPTER=tmf
export LAYER8_TMF_BASE_URL="http://127.0.0.1:$CLUSTER_TMF_PORT"
# console session cookies are signed with it: one secret for every node (start.sh makes it once per cluster)
if [ -z "${LAYER8_CONSOLE_SECRET:-}" ] && [ -f "$CLUSTER_HOME/console.secret" ]; then
  LAYER8_CONSOLE_SECRET="$(cat "$CLUSTER_HOME/console.secret")"
  export LAYER8_CONSOLE_SECRET
fi
export LAYER8_PUBLIC_BASE_URL="${LAYER8_PUBLIC_BASE_URL:-http://127.0.0.1:$CLUSTER_PORT}"
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 TOKENIZERS_PARALLELISM=false ANONYMIZED_TELEMETRY=False
