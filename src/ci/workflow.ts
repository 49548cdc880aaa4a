/**
 * The CI workflows, generated from the variant matrix. Pure: plan + ci.yaml in, YAML text out.
 * One job per cell; the shared stages are restored from the CI cache by their content key (read
 * from `build plan --json` at run time, so the workflow only changes when the matrix does); a
 * publish job signs, pushes, uploads and notifies once every cell passed.
 */
import { stringify } from 'yaml';
import type { Cell } from '../plan/types.js';
import type { CiConfig } from './config.js';
import { SECRET_ENV } from '../publish/config.js';

export type Flavor = 'github' | 'gitea';
export const WORKFLOW_FILE = 'build-disk-image.yaml';

const jobId = (c: Cell): string => `${c.variant}-${c.arch}`;

/** Gitea's act_runner speaks the artifact protocol of upload/download-artifact v3 only. */
const artifactActions = (f: Flavor) => (f === 'github'
  ? { upload: 'actions/upload-artifact@v4', download: 'actions/download-artifact@v4' }
  : { upload: 'actions/upload-artifact@v3', download: 'actions/download-artifact@v3' });

const KEYS_SCRIPT = [
  'build plan --json --arch "$ARCH" --variant "$VARIANT" > plan.json',
  'node -e \'for (const s of JSON.parse(require("fs").readFileSync("plan.json","utf8")).steps) if (s.kind === "initramfs") console.log("stages=" + s.key)\' >> "$GITHUB_OUTPUT"',
].join('\n');

function cellJob(cell: Cell, config: CiConfig, flavor: Flavor): Record<string, unknown> {
  const runner = cell.arch === 'arm64' && config.runners.arm64 !== 'same-as-amd64' ? config.runners.arm64 : config.runners.amd64;
  return {
    name: `${cell.variant}/${cell.arch}`,
    'runs-on': runner,
    'timeout-minutes': 120,
    env: { ARCH: cell.arch, VARIANT: cell.variant, POWERNODE_CACHE_DIR: '${{ github.workspace }}/.cache/pnib' },
    steps: [
      { uses: 'actions/checkout@v4' },
      { name: 'Set up host tools and npm dependencies', run: 'sudo ./setup.sh --no-build' },
      { name: 'Shared stage keys', id: 'keys', run: KEYS_SCRIPT },
      {
        name: 'Restore shared stages', uses: 'actions/cache@v4',
        with: { path: '.cache/pnib/steps', key: `pnib-${cell.arch}-\${{ steps.keys.outputs.stages }}`, 'restore-keys': `pnib-${cell.arch}-` },
      },
      { name: 'Build', run: 'sudo -E build --out images' },
      { name: 'Smoke boot', run: 'sudo -E build smoke --out images --identity ci-${{ github.run_id }}' },
      { name: 'Upload', uses: artifactActions(flavor).upload, with: { name: jobId(cell), path: `images/${cell.variant}/${cell.arch}`, 'if-no-files-found': 'error' } },
    ],
  };
}

/** Keyless signing on GitHub: the job's OIDC token for the sigstore audience (needs `id-token: write`). */
const OIDC_TOKEN = [
  `${SECRET_ENV.identityToken}="$(curl -sSf -H "Authorization: bearer $ACTIONS_ID_TOKEN_REQUEST_TOKEN" "$ACTIONS_ID_TOKEN_REQUEST_URL&audience=sigstore" \\`,
  '  | node -p \'JSON.parse(require("fs").readFileSync(0, "utf8")).value\')"',
  `export ${SECRET_ENV.identityToken}`,
].join('\n');

function publishJob(cells: readonly Cell[], config: CiConfig, flavor: Flavor): Record<string, unknown> {
  const p = config.publish;
  const sign = flavor === 'github' ? '--keyless' : '--sign-key "$SIGNING_KEY_FILE"';
  const args = [sign, p.registry && `--registry ${p.registry} --oci-tag "$GITHUB_REF_NAME"`, p.s3 && `--s3 ${p.s3}`, p.webhook && `--webhook ${p.webhook}`].filter(Boolean).join(' ');
  const download = cells.map((c) => ({ uses: artifactActions(flavor).download, with: { name: jobId(c), path: `images/${c.variant}/${c.arch}` } }));
  return {
    name: 'publish',
    needs: cells.map(jobId),
    if: "startsWith(github.ref, 'refs/tags/')",
    'runs-on': config.runners.amd64,
    ...(flavor === 'github' ? { permissions: { contents: 'write', 'id-token': 'write', packages: 'write' } } : {}),
    env: {
      [SECRET_ENV.webhookSecret]: '${{ secrets.POWERNODE_WEBHOOK_SECRET }}',
      AWS_ACCESS_KEY_ID: '${{ secrets.AWS_ACCESS_KEY_ID }}',
      AWS_SECRET_ACCESS_KEY: '${{ secrets.AWS_SECRET_ACCESS_KEY }}',
      [SECRET_ENV.registryUsername]: '${{ secrets.REGISTRY_USERNAME }}',
      [SECRET_ENV.registryPassword]: '${{ secrets.REGISTRY_PASSWORD }}',
      ...(flavor === 'gitea' ? { SIGNING_KEY_FILE: '${{ runner.temp }}/signing-key.pem' } : {}),
    },
    steps: [
      { uses: 'actions/checkout@v4' },
      { name: 'Set up', run: 'sudo ./setup.sh --no-build' },
      ...download,
      ...(flavor === 'gitea' ? [{ name: 'Signing key', run: 'printf "%s" "${{ secrets.SIGNING_KEY }}" > "$SIGNING_KEY_FILE"' }] : []),
      { name: 'Sign, push, upload, notify', run: flavor === 'github' ? `${OIDC_TOKEN}\nbuild publish --out images ${args}` : `build publish --out images ${args}` },
    ],
  };
}

export function generateWorkflow(cells: readonly Cell[], config: CiConfig, flavor: Flavor): string {
  const jobs = Object.fromEntries(cells.map((c) => [jobId(c), cellJob(c, config, flavor)] as const));
  const workflow = {
    name: 'build-disk-image',
    on: { push: { branches: ['main'], tags: ['v*'] }, pull_request: {}, workflow_dispatch: {} },
    permissions: { contents: 'read' },
    concurrency: { group: 'build-disk-image-${{ github.ref }}', 'cancel-in-progress': true },
    jobs: { ...jobs, publish: publishJob(cells, config, flavor) },
  };
  const header = `# Generated by \`build ci\` from variants/ and pipelines/ci.yaml (${flavor === 'gitea' ? 'Gitea Actions: copy to .gitea/workflows/' : 'GitHub Actions: copy to .github/workflows/'}).\n# Do not edit: change the inputs and run \`build ci\`; \`build ci --check\` fails when this file drifts.\n`;
  return header + stringify(workflow, { lineWidth: 0 });
}
