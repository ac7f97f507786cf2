import { BackendError, selectBackend } from './backend-selection';
import { assertNativeBinding, tfBackendCandidates } from '../adapters/tfjs-backend.adapter';

describe('selectBackend', () => {
  const ok = async (): Promise<void> => undefined;
  const missing = (m: string) => async (): Promise<void> => {
    throw new Error(`Cannot find module '${m}'\nRequire stack:\n- x.js`);
  };

  it('falls back past modules that throw and reports why each failed', async () => {
    const choice = await selectBackend([
      { name: 'tensorflow-gpu', load: missing('@tensorflow/tfjs-node-gpu') },
      { name: 'tensorflow', load: missing('@tensorflow/tfjs-node') },
      { name: 'wasm', load: ok },
      { name: 'cpu', load: ok },
    ]);
    expect(choice).toEqual({
      name: 'wasm',
      tried: [
        { name: 'tensorflow-gpu', ok: false, error: "Cannot find module '@tensorflow/tfjs-node-gpu'" },
        { name: 'tensorflow', ok: false, error: "Cannot find module '@tensorflow/tfjs-node'" },
        { name: 'wasm', ok: true, error: null },
      ],
    });
  });

  it('takes the first backend when it loads', async () => {
    const choice = await selectBackend([
      { name: 'tensorflow-gpu', load: ok },
      { name: 'cpu', load: ok },
    ]);
    expect(choice.name).toBe('tensorflow-gpu');
    expect(choice.tried).toHaveLength(1);
  });

  it('raises a typed error listing every failure when nothing loads', async () => {
    await expect(selectBackend([{ name: 'cpu', load: missing('x') }])).rejects.toBeInstanceOf(BackendError);
    await expect(selectBackend([{ name: 'cpu', load: missing('x') }])).rejects.toMatchObject({ code: 'NO_BACKEND' });
  });

  it('real candidates fall through native and wasm to cpu when those modules throw', async () => {
    const attempted: string[] = [];
    const req = (id: string): unknown => {
      attempted.push(id);
      if (id === '@tensorflow/tfjs') return jest.requireActual('@tensorflow/tfjs');
      throw new Error(`Cannot find module '${id}'`);
    };
    const choice = await selectBackend(tfBackendCandidates(req, () => '/nowhere', () => undefined));
    expect(choice.name).toBe('cpu');
    expect(choice.tried.map((t) => [t.name, t.ok])).toEqual([
      ['tensorflow-gpu', false],
      ['tensorflow', false],
      ['wasm', false],
      ['cpu', true],
    ]);
    expect(attempted.slice(0, 3)).toEqual(['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node', '@tensorflow/tfjs-backend-wasm']);
  });

  it('refuses a native package installed without its addon, before requiring it', async () => {
    const attempted: string[] = [];
    const req = (id: string): unknown => {
      attempted.push(id);
      return jest.requireActual(id);
    };
    const noAddon = (pkg: string): void => {
      throw new Error(`${pkg} is installed without its native addon`);
    };
    const choice = await selectBackend(tfBackendCandidates(req, () => '/nowhere', noAddon).filter((c) => c.name !== 'wasm'));
    expect(choice.name).toBe('cpu');
    expect(choice.tried[0]).toEqual({ name: 'tensorflow-gpu', ok: false, error: '@tensorflow/tfjs-node-gpu is installed without its native addon' });
    expect(attempted).not.toContain('@tensorflow/tfjs-node-gpu');
    expect(attempted).not.toContain('@tensorflow/tfjs-node');
  });

  it('assertNativeBinding names the missing addon path', () => {
    expect(() => assertNativeBinding('@tensorflow/tfjs', (id) => require.resolve(id))).toThrow(/@tensorflow\/tfjs is installed without its native addon \(.*tfjs[/\\]lib[/\\]napi-v\*[/\\]tfjs_binding.node\)/);
  });
});
