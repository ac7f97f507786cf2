/* eslint-disable @nx/enforce-module-boundaries -- reads every app's controllers, as the composition root may. */
import 'reflect-metadata';
import { readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { Reflector } from '@nestjs/core';
import { routeRequirement } from '@kairos/runtime';

const ROOT = resolve(__dirname, '..', '..', '..');

function controllerFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return controllerFiles(p);
    return name.endsWith('.controller.ts') ? [p] : [];
  });
}

/**
 * Every route of every controller (in every app and in libs/runtime) declares what it needs:
 * @RequireScope on the route or its controller, or @Public. The guard would make an undeclared route
 * admin-only (fails closed); this test makes forgetting the annotation a failing test instead.
 */
describe('every HTTP route declares its scope', () => {
  const files = [...['gateway', 'analyzer', 'collector', 'executor'].flatMap((a) => controllerFiles(join(ROOT, 'apps', a, 'src'))), ...controllerFiles(join(ROOT, 'libs', 'runtime', 'src'))];
  const reflector = new Reflector();
  const routes: string[] = [];
  const undeclared: string[] = [];
  for (const file of files) {
    const mod = require(file) as Record<string, unknown>;
    for (const exported of Object.values(mod)) {
      if (typeof exported !== 'function' || Reflect.getMetadata(PATH_METADATA, exported) === undefined) continue;
      const controller = exported as new (...args: never[]) => object;
      const proto = controller.prototype as Record<string, unknown>;
      for (const name of Object.getOwnPropertyNames(proto)) {
        const handler = proto[name];
        if (name === 'constructor' || typeof handler !== 'function' || Reflect.getMetadata(METHOD_METADATA, handler) === undefined) continue;
        const need = routeRequirement(reflector, handler as never, controller as never);
        const label = `${relative(ROOT, file)} ${controller.name}.${name}: ${need.kind === 'public' ? 'public' : need.scope}`;
        routes.push(label);
        if (need.kind === 'scope' && !need.declared) undeclared.push(label);
      }
    }
  }

  it('finds the routes', () => {
    expect(routes.length).toBeGreaterThan(30);
    expect(routes).toEqual(expect.arrayContaining([expect.stringMatching(/TasksController\.submit: submit$/), expect.stringMatching(/HealthController\.health: public$/), expect.stringMatching(/ApiKeysController\.create: admin$/)]));
  });
  it('has no route without @RequireScope or @Public', () => {
    expect(undeclared).toEqual([]);
  });
});
