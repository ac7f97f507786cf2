import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { KairosMetrics } from './kairos-metrics';

const DOCKER = join(__dirname, '../../../../docker');

/** The shipped Prometheus and Grafana files must match what the services export. */
describe('docker/ monitoring files', () => {
  const declared = new Set(new KairosMetrics('x').registry.getMetricsAsArray().map((m) => m.name));

  it('the Grafana dashboard queries only series the services export', () => {
    const dash = JSON.parse(readFileSync(join(DOCKER, 'grafana/dashboards/kairos.json'), 'utf8')) as { panels: Array<{ title: string; targets: Array<{ expr: string }> }> };
    expect(dash.panels.length).toBeGreaterThanOrEqual(10);
    for (const p of dash.panels) {
      for (const t of p.targets) {
        const names = [...t.expr.matchAll(/\bkairos_[a-z0-9_]+/g)].map((m) => m[0].replace(/_(bucket|count|sum)$/, ''));
        expect(names.length).toBeGreaterThan(0);
        for (const n of names) expect([p.title, n, declared.has(n)]).toEqual([p.title, n, true]);
      }
    }
  });

  it('Prometheus scrapes every Kairos service that compose.yaml runs', () => {
    const compose = parse(readFileSync(join(DOCKER, 'compose.yaml'), 'utf8')) as { services: Record<string, { build?: { target?: string } }> };
    const kairos = Object.entries(compose.services).filter(([, s]) => s.build?.target).map(([name]) => name).sort();
    const prom = parse(readFileSync(join(DOCKER, 'prometheus/prometheus.yml'), 'utf8')) as { scrape_configs: Array<{ metrics_path: string; dns_sd_configs: Array<{ names: string[]; port: number }> }> };
    const job = prom.scrape_configs[0];
    expect(job.metrics_path).toBe('/metrics');
    expect([...job.dns_sd_configs[0].names].sort()).toEqual(kairos);
    expect(compose.services.prometheus).toBeDefined();
    expect(compose.services.grafana).toBeDefined();
  });
});
