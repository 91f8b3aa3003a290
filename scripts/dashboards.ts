/** `npm run dashboards`: regenerates grafana/dashboards/*.json from the TypeScript builders, or checks them. */
import { relative } from 'node:path';
import { DASHBOARDS_DIR, staleFiles, writeAll } from '../grafana/lib/generate.ts';
import { parseCli, runMain } from './lib/cli.ts';

const USAGE = `
Usage: npm run dashboards [-- --check]

Builds the Grafana dashboards (grafana/dashboards/*.ts, @grafana/grafana-foundation-sdk) and writes
their JSON beside them (grafana/dashboards/*.json), which Grafana provisioning loads. Commit the JSON.

Options:
  --check   write nothing; exit 1 when a committed JSON file is missing or stale
  -h, --help
`;

async function main(): Promise<number> {
  const { values } = parseCli(USAGE, { check: { type: 'boolean' } });
  const dir = relative(process.cwd(), DASHBOARDS_DIR) || '.';
  if (values.check) {
    const stale = staleFiles();
    if (stale.length === 0) {
      process.stdout.write(`dashboards: ${dir}/*.json are up to date\n`);
      return 0;
    }
    process.stderr.write(`dashboards: stale or missing in ${dir}: ${stale.join(', ')}; run \`npm run dashboards\` and commit the JSON\n`);
    return 1;
  }
  const changed = writeAll();
  process.stdout.write(changed.length === 0 ? `dashboards: ${dir}/*.json already up to date\n` : `dashboards: wrote ${changed.map((f) => `${dir}/${f}`).join(', ')}\n`);
  return 0;
}

runMain(main);
