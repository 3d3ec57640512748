#!/usr/bin/env bash
# Rebuilds the committed seed corpora in fuzz/corpus/<target>/ from the repository's fixtures/.
# Only needed when fixtures change; the fuzzers themselves never write here (fuzz/smoke.sh and
# docs/fuzzing.md use a scratch output corpus).
#
# The snapshot and baseline seeds are written by a drift binary: $DRIFT, else target/release/drift
# (cargo build --release -p drift-cli).
set -euo pipefail
cd "$(dirname "$0")/.."
drift=${DRIFT:-target/release/drift}
[[ -x $drift ]] || { echo "make-corpus: no drift binary at $drift (set DRIFT=…)" >&2; exit 2; }
export DRIFT_FINGERPRINT_KEY=fuzz # the key of every fuzz target: fingerprints are kept in seeds
out=fuzz/corpus
rm -rf "$out"
mkdir -p "$out"/{env,kubernetes,terraform,flags,config,snapshot,baseline,drift_toml,engine}
f=fixtures
rw=$f/realworld

# A seed: seed TARGET NAME [PREFIX] FILE… — the files concatenated, after PREFIX (a selector byte).
seed() {
    local target=$1 name=$2 prefix=$3
    shift 3
    { printf '%s' "$prefix"; cat "$@"; } >"$out/$target/$name"
}
# An engine seed: a selector byte, the left file, the separator, the right file.
pair() {
    local name=$1 prefix=$2 left=$3 right=$4
    { printf '%s' "$prefix"; cat "$left"; printf '\n--8<--\n'; cat "$right"; } >"$out/engine/$name"
}

# .env
seed env staging.env '' $f/staging/.env
seed env production.env '' $f/production/.env
for file in $rw/bkeepers-dotenv/{bom.env,quoted.env,yaml.env,exported.env} \
    $rw/compose-go-dotenv/{equals.env,quoted.env,special.env,substitutions-default.env,unquoted.env,utf8-bom.env,invalid1.env} \
    $rw/joho-godotenv/{comments.env,hyphen.env,substitutions.env} \
    $rw/dotenvy/dotenv-substitution $rw/motdotla-dotenv/{dotenv,dotenv-multiline,dotenv.bom}; do
    seed env "$(basename "$(dirname "$file")")-$(basename "$file")" '' "$file"
done

# Kubernetes
seed kubernetes network.yaml '' $f/production/k8s/network.yaml
seed kubernetes config.yaml '' $f/production/k8s/config.yaml
seed kubernetes deploy.yaml '' $f/production/k8s/deploy.yaml
seed kubernetes live.yaml '' $f/cases/k8s-live-export/live.yaml
seed kubernetes manifest.yaml '' $f/cases/k8s-live-export/manifest.yaml
seed kubernetes list-1-raw.yaml '' $rw/kubectl-neat-fixtures/list-1-raw.yaml
seed kubernetes secret1-raw.yaml '' $rw/kubectl-neat-fixtures/secret1-raw.yaml
seed kubernetes pod-1-neat.json '' $rw/kubectl-neat-fixtures/pod-1-neat.json
seed kubernetes helm-template.yaml '' $rw/helm-template-output/template.txt
for file in apps/base/podinfo/release.yaml infrastructure/configs/cluster-issuers.yaml \
    infrastructure/controllers/cert-manager.yaml clusters/production/flux-system/kustomization.yaml; do
    seed kubernetes "flux-$(basename "$file")" '' "$rw/flux2-kustomize-helm-example/$file"
done

# Terraform
seed terraform staging.tfstate '' $f/staging/terraform.tfstate
seed terraform sensitive.tfstate '' $rw/terraform-json-testdata/110_sensitive_values/terraform.tfstate
seed terraform sensitive-show.json '' $rw/terraform-json-testdata/110_sensitive_values/state.json
seed terraform depends-on.tfstate '' $rw/terraform-json-testdata/config_resource_depends_on/terraform.tfstate
seed terraform checks-show.json '' $rw/terraform-json-testdata/has_checks/state.json
seed terraform identity-show.json '' $rw/terraform-json-testdata/identity/state.json
seed terraform invalid-show.json '' $rw/terraform-json-testdata/invalid/state.json
seed terraform plan.json '' $rw/terraform-json-testdata/action_reason_prior_state_tainted.json

# Flags: f flags.json, F flags.yaml, g flags.toml
seed flags staging.json f $f/staging/flags.json
seed flags production.json f $f/production/flags.json
seed flags flagd-example.json f $rw/flagd/example_flags.flagd.json
seed flags flagd-import-array.json f $rw/flagd/schema-tests/flags/positive/example.flagdimport.array.json
seed flags flagd-targeting.json f $rw/flagd/schema-tests/flags/positive/with-valid-targeting.json
seed flags flagd-metadata.json f $rw/flagd/schema-tests/flags/positive/with-metadata.json
seed flags flagd-null-default.json f $rw/flagd/schema-tests/flags/positive/null-default-variant.json
seed flags unleash-segments.json f $rw/unleash/exported-segments.json
seed flags unleash-variants.json f $rw/unleash/variantsexport_v3.json
seed flags launchdarkly.json f $rw/launchdarkly/all-properties.json
printf 'Fflags:\n  new-checkout:\n    state: ENABLED\n    variants:\n      on: true\n      off: false\n    defaultVariant: on\n' \
    >"$out/flags/flagd.yaml"
printf 'g[flags]\nnew_checkout = true\ngift_cards = false\nrollout = 25\n' >"$out/flags/plain.toml"

# Configuration: y YAML, j JSON, T TOML, i INI, p .properties, h .tfvars, H .hcl, c sniffed
c=$f/cases/config
seed config values.yaml y $c/staging/values-staging.yaml
seed config application.yml y $c/production/application-prod.yml
seed config podinfo-values.yaml y $rw/flux2-kustomize-helm-example/apps/production/podinfo-values.yaml
seed config appsettings.json j $c/production/appsettings.Production.json
seed config settings.ini i $c/production/settings.ini
seed config config.properties p $c/staging/config.properties
seed config staging.tfvars h $c/staging/staging.tfvars
seed config config.hcl H $c/production/production.tfvars
seed config drift.toml T $f/drift.toml
seed config sniffed-json c $c/staging/appsettings.Staging.json
seed config sniffed-yaml c $f/cases/k8s-live-export/manifest.yaml

# Snapshots, written by drift
snap() { "$drift" snapshot "$2" -o "$out/snapshot/$1" >/dev/null; }
snap env.json $f/staging/.env
snap env-production.json $f/production/.env
snap config-staging.json $c/staging
snap flags.json $f/production/flags.json
snap network.json $f/production/k8s/network.yaml
snap config.json $c/production
snap tfstate.json $rw/terraform-json-testdata/config_resource_depends_on/terraform.tfstate
snap secret.json $rw/kubectl-neat-fixtures/secret1-raw.yaml

# Baselines, written by drift
"$drift" baseline $f/staging/.env $f/production/.env -o "$out/baseline/env.json" >/dev/null
"$drift" baseline $c/staging $c/production -o "$out/baseline/config.json" >/dev/null
"$drift" baseline $f/staging/flags.json $f/production/flags.json -o "$out/baseline/flags.json" >/dev/null

# drift.toml
seed drift_toml fixtures.toml '' $f/drift.toml
"$drift" init $f/staging/.env $f/production/.env -o "$out/drift_toml/init.toml" >/dev/null

# Engine: selector byte, staging, separator, production
pair env e $f/staging/.env $f/production/.env
pair flags-json f $f/staging/flags.json $f/production/flags.json
pair k8s-live k $f/cases/k8s-live-export/manifest.yaml $f/cases/k8s-live-export/live.yaml
pair k8s-demo k $f/staging/k8s/all.yaml $f/production/k8s/deploy.yaml
pair tfstate t $rw/terraform-json-testdata/no_changes/terraform.tfstate \
    $rw/terraform-json-testdata/config_resource_depends_on/terraform.tfstate
pair tf-show t $rw/terraform-json-testdata/no_changes/state.json $rw/terraform-json-testdata/110_sensitive_values/state.json
pair values y $c/staging/values-staging.yaml $c/production/values-production.yaml
pair spring y $c/staging/application-stg.yml $c/production/application-prod.yml
pair podinfo y $rw/flux2-kustomize-helm-example/apps/staging/podinfo-values.yaml \
    $rw/flux2-kustomize-helm-example/apps/production/podinfo-values.yaml
pair appsettings j $c/staging/appsettings.Staging.json $c/production/appsettings.Production.json
pair ini i $c/staging/settings.ini $c/production/settings.ini
pair properties p $c/staging/config.properties $c/production/config.properties
pair tfvars h $c/staging/staging.tfvars $c/production/production.tfvars
pair snapshot s "$out/snapshot/env.json" "$out/snapshot/env-production.json"
pair snapshot-config s "$out/snapshot/config-staging.json" "$out/snapshot/config.json"

du -sh "$out"
