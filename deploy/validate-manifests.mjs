// Validates `helm template` output against the Kubernetes API schemas (and KEDA's CRDs), offline, with the schemas
// the npm packages kubernetes-models and @kubernetes-models/keda ship: types, required fields, enums and formats of
// every object. As kubeconform without -strict, fields a schema does not know are not flagged.
//
//   node deploy/validate-manifests.mjs rendered.yaml
//
// Exits 1 if any document is invalid or of a kind with no schema here, 2 if the packages are missing (npm ci).
import { readFileSync } from 'node:fs';

/** The module of each apiVersion/kind the chart renders; a new kind must be added here to be validated. */
const MODELS = {
  'v1/ConfigMap': 'kubernetes-models/v1/ConfigMap',
  'v1/Secret': 'kubernetes-models/v1/Secret',
  'v1/Service': 'kubernetes-models/v1/Service',
  'apps/v1/Deployment': 'kubernetes-models/apps/v1/Deployment',
  'batch/v1/Job': 'kubernetes-models/batch/v1/Job',
  'autoscaling/v2/HorizontalPodAutoscaler': 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler',
  'policy/v1/PodDisruptionBudget': 'kubernetes-models/policy/v1/PodDisruptionBudget',
  'keda.sh/v1alpha1/ScaledObject': '@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject',
  'keda.sh/v1alpha1/TriggerAuthentication': '@kubernetes-models/keda/keda.sh/v1alpha1/TriggerAuthentication',
};

const file = process.argv[2];
if (!file) {
  console.error('usage: node deploy/validate-manifests.mjs RENDERED.yaml');
  process.exit(2);
}
let parseAllDocuments;
try {
  ({ parseAllDocuments } = await import('yaml'));
  await import('kubernetes-models/v1/ConfigMap');
  await import('@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject');
} catch (err) {
  console.error(`validate-manifests: the schema packages are not installed (npm ci): ${err.message}`);
  process.exit(2);
}

const docs = parseAllDocuments(readFileSync(file, 'utf8'))
  .map((d) => d.toJS())
  .filter(Boolean);
let failed = 0;
const counts = {};
for (const doc of docs) {
  const key = `${doc.apiVersion}/${doc.kind}`;
  const name = `${doc.kind}/${doc.metadata?.name}`;
  const path = MODELS[key];
  if (!path) {
    console.log(`  FAIL  ${name}: no schema for ${key} (add it to deploy/validate-manifests.mjs)`);
    failed += 1;
    continue;
  }
  const model = Object.values(await import(path)).find((v) => typeof v === 'function');
  try {
    new model(doc).validate();
    counts[key] = (counts[key] ?? 0) + 1;
  } catch (err) {
    console.log(`  FAIL  ${name} (${key}): ${err.message}`);
    failed += 1;
  }
}
const valid = Object.entries(counts)
  .map(([k, n]) => `${n} ${k}`)
  .join(', ');
console.log(failed ? `  ${failed} invalid; valid: ${valid}` : `  all ${docs.length} documents valid (${valid})`);
process.exit(failed ? 1 : 0);
