import { DEFAULT_DEPLOY_GATE_POLICY, DeployGateError, assertDeployable, evaluateDeployGate, isDeployGateError } from './deploy-gate.policy';
import { InMemoryModelStore } from './in-memory-model.store';
import { ModelRegistry } from './model-registry.service';
import { makeTrainResult, steppingClock } from './registry.fixtures';

const subject = (version: number, metrics: Record<string, number>) => ({ name: 'duration-gbdt', version, metrics });

async function refusal(p: Promise<unknown>): Promise<DeployGateError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(DeployGateError);
  return e as DeployGateError;
}

describe('evaluateDeployGate', () => {
  it('passes a candidate that beats production and the baseline by the margins', () => {
    const v = evaluateDeployGate(subject(2, { validationMaeMs: 900, baselineMaeMs: 1000, productionMaeMs: 950 }), subject(1, { validationMaeMs: 5000 }));
    expect(v.deployable).toBe(true);
    expect(v.checks.map((c) => [c.against, c.passed, c.source])).toEqual([
      ['baseline', true, 'candidate-validation'],
      ['production', true, 'candidate-validation'],
    ]);
    expect(v.checks[0].limit).toBeCloseTo(980);
    expect(v.checks[1].ratio).toBeCloseTo(900 / 950);
  });

  it('refuses a candidate worse than the baseline, naming the metric and by how much', () => {
    // The live case of issue 16: validation MAE 1.05 × the baseline's.
    const v = evaluateDeployGate(subject(2, { validationMaeMs: 1050, baselineMaeMs: 1000 }), undefined);
    expect(v.deployable).toBe(false);
    expect(v.summary).toBe(
      'duration-gbdt@2 refused by the deploy gate: validationMaeMs 1050.0 is 1.050 × the strongest baseline (1000.0); the gate needs ≤ 0.980 × (980.0), i.e. 70.0 (7.0 % of it) too high',
    );
  });

  it('uses the margin: 0.99 × the baseline fails a 2 % margin and passes a 0 % one', () => {
    const c = subject(2, { validationMaeMs: 990, baselineMaeMs: 1000 });
    expect(evaluateDeployGate(c, undefined).deployable).toBe(false);
    expect(evaluateDeployGate(c, undefined, { ...DEFAULT_DEPLOY_GATE_POLICY, marginVsBaseline: 0 }).deployable).toBe(true);
  });

  it("falls back to production's recorded error and says so; refuses when the candidate is not better", () => {
    const v = evaluateDeployGate(subject(3, { validationMaeMs: 800, baselineMaeMs: 1000 }), subject(2, { validationMaeMs: 805 }));
    expect(v.deployable).toBe(false);
    const prod = v.checks.find((c) => c.against === 'production');
    expect(prod).toMatchObject({ source: 'production-record', reference: 805, passed: false });
    expect(v.summary).toContain("production duration-gbdt@2's recorded error");
  });

  it('refuses an unmeasured candidate and rejects a bad policy', () => {
    expect(evaluateDeployGate(subject(2, { baselineMaeMs: 1000 }), undefined).summary).toContain('has no validation metric "validationMaeMs"');
    expect(evaluateDeployGate(subject(2, { validationMaeMs: 1 }), undefined).summary).toContain('has no baseline metric "baselineMaeMs"');
    expect(() => evaluateDeployGate(subject(2, {}), undefined, { ...DEFAULT_DEPLOY_GATE_POLICY, marginVsBaseline: 1.5 })).toThrow(/marginVsBaseline must be in \[0, 1\)/);
  });

  it('assertDeployable throws a typed refusal for automatic retraining', () => {
    const e = (() => {
      try {
        assertDeployable(subject(2, { validationMaeMs: 1100, baselineMaeMs: 1000 }), undefined);
      } catch (err) {
        return err;
      }
      return undefined;
    })();
    expect(isDeployGateError(e, 'DEPLOY_GATE_REFUSED')).toBe(true);
    expect((e as DeployGateError).verdict?.checks[0]).toMatchObject({ against: 'baseline', passed: false, ratio: 1.1 });
  });
});

describe('ModelRegistry.promote with the deploy gate', () => {
  async function setup(): Promise<ModelRegistry> {
    const registry = new ModelRegistry({ store: new InMemoryModelStore(), clock: steppingClock() });
    await registry.register(makeTrainResult({ metrics: { validationMaeMs: 900, baselineMaeMs: 1000 }, notes: 'v1' }));
    await registry.promote('duration-gbdt', 1, { by: 'ops', gate: DEFAULT_DEPLOY_GATE_POLICY });
    await registry.register(makeTrainResult({ metrics: { validationMaeMs: 1050, baselineMaeMs: 1000, productionMaeMs: 880 }, notes: 'v2' }));
    return registry;
  }

  it('refuses a worse candidate with a clear error and leaves production alone', async () => {
    const registry = await setup();
    const e = await refusal(registry.promote('duration-gbdt', 2, { by: 'ops', gate: DEFAULT_DEPLOY_GATE_POLICY }));
    expect(e.code).toBe('DEPLOY_GATE_REFUSED');
    expect(e.message).toContain('validationMaeMs 1050.0 is 1.050 × the strongest baseline (1000.0)');
    expect(e.message).toContain('1.193 × production duration-gbdt@1 on the same validation rows (880.0)');
    expect((await registry.requireProduction('duration-gbdt')).version).toBe(1);
    expect((await registry.history('duration-gbdt')).length).toBe(3);
  });

  it('records a forced deploy with who, why and the verdict', async () => {
    const registry = await setup();
    await registry.promote('duration-gbdt', 2, { by: 'admin:alice', gate: DEFAULT_DEPLOY_GATE_POLICY, force: { reason: 'incident 42: v1 reads a dropped column' } });
    expect((await registry.requireProduction('duration-gbdt')).version).toBe(2);
    const last = (await registry.history('duration-gbdt')).at(-1);
    expect(last).toMatchObject({ version: 2, to: 'production', by: 'admin:alice', gate: { forced: true, deployable: false, forceReason: 'incident 42: v1 reads a dropped column' } });
    expect(last?.note).toMatch(/^FORCED: incident 42: v1 reads a dropped column \| duration-gbdt@2 refused by the deploy gate: validationMaeMs 1050.0/);
  });

  it('needs a reason to force, and records a passing verdict too', async () => {
    const registry = await setup();
    const e = await refusal(registry.promote('duration-gbdt', 2, { by: 'admin', gate: DEFAULT_DEPLOY_GATE_POLICY, force: { reason: '  ' } }));
    expect(e.code).toBe('FORCE_REASON_REQUIRED');
    const first = (await registry.history('duration-gbdt')).find((c) => c.to === 'production');
    expect(first?.gate).toEqual({ deployable: true, forced: false, summary: 'duration-gbdt@1 passes the deploy gate: 0.900 × baseline' });
  });
});
