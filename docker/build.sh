#!/usr/bin/env bash
# Builds the impflow image from this checkout without network access beyond what Maven already resolved:
#   1. ./mvnw package (trainer, flink-job, demo and what they need; never install),
#   2. a build context under target/docker-context/: every jar of the four runtime classpaths (Flink cluster, Kafka
#      broker, trainer, tools) in a Maven-repository layout under lib/, one classpath list per role under cp/,
#      the shaded job jar, the datasets, this folder's bin/ and conf/,
#   3. docker build with the Java 17 base image given by --base (default: a public JRE 17 image), or with
#      --local-base a JRE 17 base built here by debootstrap from Debian packages (no image registry needed),
#   with --flink-operator-image instead: the context target/flink-operator-context/ (lib/: DJL and its
#   dependencies, usrlib/: the job jar, plugins/metrics-prometheus/) and docker build of docker/flink-operator/
#   FROM flink:2.2.1-java17 (needs a registry that serves that image), tagged impflow-flink:latest or --tag.
#   --context-only stops after writing the build context.
# Usage: docker/build.sh [--local-base] [--base IMAGE] [--tag IMAGE] [--skip-maven] [--flink-operator-image]
#                        [--context-only]
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TAG="${IMPFLOW_IMAGE:-impflow:latest}"
BASE="eclipse-temurin:17-jre"
LOCAL_BASE_TAG="impflow-base:bookworm-jre17"
LOCAL_BASE=false
SKIP_MAVEN=false
FLINK_OPERATOR=false
TAG_GIVEN=false
CONTEXT_ONLY=false

while [[ $# -gt 0 ]]; do
  case "$1" in
    --local-base) LOCAL_BASE=true; BASE="$LOCAL_BASE_TAG" ;;
    --base) BASE="$2"; shift ;;
    --tag) TAG="$2"; TAG_GIVEN=true; shift ;;
    --skip-maven) SKIP_MAVEN=true ;;
    --flink-operator-image) FLINK_OPERATOR=true ;;
    --context-only) CONTEXT_ONLY=true ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) echo "build.sh: unknown option '$1'; see docker/build.sh --help" >&2; exit 2 ;;
  esac
  shift
done

step() { printf '[build %s] %s\n' "$(date +%H:%M:%S)" "$*"; }

if ! $SKIP_MAVEN; then
  step "maven package (trainer, flink-job, demo)"
  (cd "$ROOT" && ./mvnw -B -q package -DskipTests -pl trainer,flink-job,demo -am)
fi

CTX="$ROOT/target/docker-context"
# The local Maven repository the classpaths point into: -Dmaven.repo.local in MAVEN_ARGS, else ~/.m2/repository.
M2_REPO="$HOME/.m2/repository"
if [[ "${MAVEN_ARGS:-}" =~ -Dmaven\.repo\.local=([^[:space:]]+) ]]; then M2_REPO="${BASH_REMATCH[1]%/}"; fi
rm -rf "$CTX" && mkdir -p "$CTX/lib" "$CTX/cp" "$CTX/job"

# Copies every jar of a colon-separated classpath into lib/ and writes its list (paths relative to lib/) to cp/ROLE.
# Jars from the local Maven repository keep their repository path, so two artifacts with the same file name cannot collide.
add_classpath() {
  local role="$1" classpath="$2" jar rel
  : > "$CTX/cp/$role"
  tr ':' '\n' <<<"$classpath" | while read -r jar; do
    [[ -z "$jar" ]] && continue
    if [[ ! -f "$jar" ]]; then
      echo "build.sh: $jar (classpath of '$role') is missing; rerun without --skip-maven" >&2
      exit 1
    fi
    case "$jar" in
      "$M2_REPO"/*) rel="${jar#"$M2_REPO"/}" ;;
      */.m2/repository/*) rel="${jar#*/.m2/repository/}" ;;
      "$ROOT"/*/target/*.jar) rel="io/impflow/$(basename "$jar")" ;;
      *) echo "build.sh: $jar is neither in a Maven repository nor a module's target/" >&2; exit 1 ;;
    esac
    mkdir -p "$CTX/lib/$(dirname "$rel")"
    [[ -f "$CTX/lib/$rel" ]] || cp "$jar" "$CTX/lib/$rel"
    echo "$rel" >> "$CTX/cp/$role"
  done
}

module_jar() {
  local jar
  jar="$(ls "$ROOT/$1"/target/impflow-"$1"-*.jar 2>/dev/null | grep -v -- '-job.jar$' | head -1)"
  [[ -n "$jar" ]] || { echo "build.sh: no jar in $1/target; rerun without --skip-maven" >&2; exit 1; }
  echo "$jar"
}

step "build context $CTX"
TESTKIT_CLASSES="$ROOT/testkit/target/classes/io/impflow/testkit"
add_classpath flink "$(cat "$TESTKIT_CLASSES/flink/flink-cluster.classpath")"
add_classpath kafka "$(cat "$TESTKIT_CLASSES/kafka/broker.classpath")"
add_classpath trainer "$(module_jar trainer):$(cat "$ROOT/trainer/target/classpath.txt")"
add_classpath tools "$(module_jar demo):$(cat "$ROOT/demo/target/classpath.txt")"
job_jar="$(ls "$ROOT"/flink-job/target/impflow-flink-job-*-job.jar | head -1)"
cp "$job_jar" "$CTX/job/impflow-flink-job.jar"
cp -r "$ROOT/datasets" "$CTX/datasets"
cp -r "$ROOT/docker/bin" "$ROOT/docker/conf" "$CTX/"
cp "$ROOT/docker/Dockerfile" "$CTX/Dockerfile"
[[ -f "$ROOT/LICENSE" ]] && cp "$ROOT/LICENSE" "$ROOT/NOTICE" "$CTX/"
step "context: $(du -sh "$CTX" | cut -f1), $(find "$CTX/lib" -name '*.jar' | wc -l) jars"

if $FLINK_OPERATOR; then
  # The official Flink image has Flink; the job needs DJL (with its dependencies) on the parent classpath, the job
  # jar and the Prometheus reporter plugin of the same Flink version. Names and versions come from the Flink
  # cluster's classpath of this build (testkit's), so the image carries what the ITs ran with.
  OCTX="$ROOT/target/flink-operator-context"
  rm -rf "$OCTX" && mkdir -p "$OCTX/lib" "$OCTX/usrlib" "$OCTX/plugins/metrics-prometheus"
  grep -E '^(ai/djl/|com/google/code/gson/gson/|net/java/dev/jna/jna/|org/apache/commons/commons-compress/|commons-codec/commons-codec/)' \
    "$CTX/cp/flink" | while read -r rel; do cp "$CTX/lib/$rel" "$OCTX/lib/"; done
  cp "$CTX/job/impflow-flink-job.jar" "$OCTX/usrlib/impflow-flink-job.jar"
  flink_version="$(sed -n 's|^org/apache/flink/flink-runtime/\([^/]*\)/.*|\1|p' "$CTX/cp/flink" | head -1)"
  prometheus="$M2_REPO/org/apache/flink/flink-metrics-prometheus/$flink_version/flink-metrics-prometheus-$flink_version.jar"
  [[ -f "$prometheus" ]] || { echo "build.sh: $prometheus is missing (flink-job depends on it); rerun without --skip-maven" >&2; exit 1; }
  cp "$prometheus" "$OCTX/plugins/metrics-prometheus/"
  cp "$ROOT/docker/flink-operator/Dockerfile" "$OCTX/Dockerfile"
  step "flink operator context $OCTX: Flink $flink_version; lib/ $(ls "$OCTX/lib" | tr '\n' ' ')"
  $CONTEXT_ONLY && exit 0
  OTAG="impflow-flink:latest"
  $TAG_GIVEN && OTAG="$TAG"
  step "docker build -t $OTAG (FROM flink:$flink_version-java17)"
  docker build --build-arg "FLINK_IMAGE=flink:$flink_version-java17" -t "$OTAG" "$OCTX"
  step "done: $OTAG"
  exit 0
fi
$CONTEXT_ONLY && exit 0

if $LOCAL_BASE && ! docker image inspect "$LOCAL_BASE_TAG" >/dev/null 2>&1; then
  step "base image $LOCAL_BASE_TAG from Debian packages (debootstrap)"
  if ! command -v debootstrap >/dev/null; then
    # A fresh Debian machine with only docker.io has no debootstrap: install it as root, else name the command.
    if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null; then
      step "debootstrap is missing: apt-get install -y debootstrap"
      { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap; } >/tmp/impflow-apt.log 2>&1 \
        || { echo "build.sh: installing debootstrap failed; see /tmp/impflow-apt.log" >&2; exit 1; }
    else
      echo "build.sh: --local-base needs debootstrap; install it as root: sudo apt-get install -y debootstrap" >&2
      exit 1
    fi
  fi
  rootfs="$(mktemp -d /tmp/impflow-base.XXXXXX)"
  debootstrap --variant=minbase --include=openjdk-17-jre-headless bookworm "$rootfs" >"$rootfs.log" 2>&1 \
    || { echo "build.sh: debootstrap failed; see $rootfs.log" >&2; exit 1; }
  tar -C "$rootfs" -c . | docker import -c 'ENV LANG=C.UTF-8' - "$LOCAL_BASE_TAG" >/dev/null
  rm -rf "$rootfs" "$rootfs.log"
fi

step "docker build -t $TAG (base $BASE)"
docker build --build-arg "BASE_IMAGE=$BASE" -t "$TAG" "$CTX"
step "done: $TAG ($(docker image inspect -f '{{.Size}}' "$TAG" | awk '{printf "%.0f MB", $1/1e6}'))"
