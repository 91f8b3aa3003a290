/**
 * Grafana provisioning and the Docker Compose file, checked structurally (Docker cannot run here): they parse
 * as YAML, pin their images, point at files that exist, and agree with the dashboards' datasource uid.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { YAML } from 'zx';
import { INFLUX_DATASOURCE } from '../grafana/lib/influx-query.ts';
import { DASHBOARDS } from '../grafana/lib/catalog.ts';
import { repoPath } from '../scripts/lib/repo.ts';

const GRAFANA = repoPath('grafana');

/** A YAML file of grafana/ parsed (zx ships the `yaml` parser). */
function yamlOf(...path: string[]): Record<string, unknown> {
  return YAML.parse(readFileSync(join(GRAFANA, ...path), 'utf8')) as Record<string, unknown>;
}

function yamlFiles(dir: string): string[] {
  return readdirSync(join(GRAFANA, dir)).filter((f) => /\.ya?ml$/.test(f));
}

interface Service {
  image: string;
  environment: Record<string, string>;
  ports: string[];
  volumes: string[];
}

const compose = yamlOf('compose.yaml') as { services: Record<string, Service>; volumes: Record<string, unknown> };

/** `${NAME}` / `$NAME` references in a provisioning value (Grafana expands them from its environment). */
function envRefs(text: string): string[] {
  return [...text.matchAll(/\$\{?([A-Z_][A-Z0-9_]*)\}?/g)].map((m) => m[1] ?? '');
}

describe('datasource provisioning', () => {
  it('has exactly one file with one InfluxQL datasource of uid tidemark-influxdb', () => {
    expect(yamlFiles('provisioning/datasources')).toEqual(['tidemark.yaml']);
    const file = yamlOf('provisioning', 'datasources', 'tidemark.yaml') as { apiVersion: number; datasources: Array<Record<string, unknown>> };
    expect(file.apiVersion).toBe(1);
    expect(file.datasources).toHaveLength(1);
    const ds = file.datasources[0] as Record<string, unknown> & { jsonData: Record<string, unknown> };
    expect({ uid: ds.uid, type: ds.type }).toEqual(INFLUX_DATASOURCE);
    expect(ds).toMatchObject({ access: 'proxy', isDefault: true, jsonData: { version: 'InfluxQL', httpMode: 'GET' } });
    expect(ds.jsonData.dbName).toBeTruthy();
  });

  it('takes every setting it references from the Grafana service environment in compose.yaml', () => {
    const text = readFileSync(join(GRAFANA, 'provisioning', 'datasources', 'tidemark.yaml'), 'utf8');
    const refs = envRefs(text.split('\n').filter((l) => !l.trim().startsWith('#')).join('\n'));
    expect(refs.sort()).toEqual(['TIDEMARK_INFLUX_DB', 'TIDEMARK_INFLUX_PASSWORD', 'TIDEMARK_INFLUX_URL', 'TIDEMARK_INFLUX_USERNAME']);
    const env = compose.services.grafana?.environment ?? {};
    for (const name of refs) expect(env[name], name).toBeTruthy();
  });
});

describe('dashboard provisioning', () => {
  it('loads the generated JSON from where compose.yaml mounts grafana/dashboards', () => {
    expect(yamlFiles('provisioning/dashboards')).toEqual(['tidemark.yaml']);
    const file = yamlOf('provisioning', 'dashboards', 'tidemark.yaml') as { apiVersion: number; providers: Array<Record<string, unknown>> };
    expect(file.apiVersion).toBe(1);
    const provider = file.providers[0] as { type: string; folder: string; options: { path: string } };
    expect(file.providers).toHaveLength(1);
    expect(provider).toMatchObject({ type: 'file', folder: 'Tidemark', disableDeletion: true, allowUiUpdates: false });
    const mount = (compose.services.grafana?.volumes ?? []).find((v) => v.split(':')[1] === provider.options.path);
    expect(mount, `a volume mounted at ${provider.options.path}`).toBeDefined();
    const hostDir = resolve(GRAFANA, (mount ?? '').split(':')[0] ?? '');
    expect(hostDir).toBe(join(GRAFANA, 'dashboards'));
    for (const d of DASHBOARDS) expect(existsSync(join(hostDir, d.file)), d.file).toBe(true);
    const home = compose.services.grafana?.environment.GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH ?? '';
    expect(home.startsWith(`${provider.options.path}/`) && existsSync(join(hostDir, home.slice(provider.options.path.length + 1)))).toBe(true);
  });
});

describe('compose.yaml', () => {
  it('runs InfluxDB 1.8 and Grafana OSS at pinned versions', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['grafana', 'influxdb']);
    expect(compose.services.influxdb?.image).toMatch(/^influxdb:1\.8\.\d+$/);
    expect(compose.services.grafana?.image).toMatch(/^grafana\/grafana(-oss)?:\d+\.\d+\.\d+$/);
  });

  it('binds host ports to loopback only and mounts host paths that exist', () => {
    for (const [name, s] of Object.entries(compose.services)) {
      for (const port of s.ports) expect(port, name).toMatch(/^127\.0\.0\.1:/);
      for (const v of s.volumes) {
        const host = v.split(':')[0] ?? '';
        if (host.startsWith('.')) expect(existsSync(resolve(GRAFANA, host)), v).toBe(true);
        else expect(Object.keys(compose.volumes), v).toContain(host);
      }
    }
  });

  it('gives every credential a non-secret local default through ${VAR:-default}, documented in the file', () => {
    const text = readFileSync(join(GRAFANA, 'compose.yaml'), 'utf8');
    const interpolations = [...text.matchAll(/\$\{([A-Z_][A-Z0-9_]*)(:-[^}]*)?\}/g)];
    expect(interpolations.length).toBeGreaterThan(0);
    const header = text.split('\nname:')[0] ?? '';
    for (const [whole, name, fallback] of interpolations) {
      expect(fallback, `${whole} needs a default`).toBeDefined();
      expect(header, `${name} is documented in the header`).toContain(name ?? '');
    }
    const env = { ...compose.services.grafana?.environment, ...compose.services.influxdb?.environment };
    expect(env.GF_SECURITY_ADMIN_PASSWORD).toMatch(/^\$\{TIDEMARK_GRAFANA_PASSWORD:-/);
    expect(env.INFLUXDB_ADMIN_PASSWORD).toMatch(/^\$\{TIDEMARK_INFLUX_PASSWORD:-/);
  });
});
