import { tokenBucket } from './hashed-ngram.vectorizer';
import { DEFAULT_SEMANTIC_CONFIG, SemanticFeatureExtractor, outOfFoldSemanticFeatures, semanticFeatureNames, semanticSchemaHash } from './semantic-features.extractor';
import type { TaskTokens } from './task-text.tokenizer';

function toks(program: string | null, words: string[], argCount = 0): TaskTokens {
  return { identifying: [...(program ? [`prog:${program}`] : []), ...words.map((w) => `w:${w}`)], subword: [], program: program ? `prog:${program}` : null, argCount };
}

describe('SemanticFeatureExtractor (target view)', () => {
  it('computes smoothed per-token means by hand', () => {
    const e = new SemanticFeatureExtractor({ views: ['target'], smoothing: 2 });
    // Buckets must not collide for the hand figures below.
    const buckets = ['prog:map', 'w:map', 'prog:merge', 'w:merge', 'w:reads', 'w:new'].map((t) => tokenBucket(t, 16, DEFAULT_SEMANTIC_CONFIG.seed));
    expect(new Set(buckets).size).toBe(buckets.length);
    e.observe(toks('map', ['map', 'reads']), 4);
    e.observe(toks('map', ['map', 'reads']), 6);
    e.observe(toks('merge', ['merge', 'reads']), 1);
    // prior = (4 + 6 + 1)/3 = 11/3; prog:map: n 2, sum 10 → (10 + 2·11/3)/4 = 13/3; w:reads: n 3, sum 11 → (11 + 22/3)/5 = 11/3.
    const f = e.features(toks('map', ['map', 'reads', 'new'], 3));
    const prior = 11 / 3;
    const map = (10 + 2 * prior) / 4;
    const reads = (11 + 2 * prior) / 5;
    expect(f[0]).toBeCloseTo(map, 12); // te_program
    expect(f[1]).toBeCloseTo(Math.log1p(2), 12);
    expect(f[2]).toBeCloseTo((map + map + reads) / 3, 12); // prog:map, w:map, w:reads known; w:new unseen
    expect(f[3]).toBeCloseTo(reads, 12);
    expect(f[4]).toBeCloseTo(map, 12);
    // Most consistent token (n ≥ 2): prog:map/w:map have SS = 2 (values 4, 6), w:reads SS = 53 − 3·(11/3)² = 38/3; shrunk spread
    // (SS + m·σ²)/(n − 1 + m) with σ² = mean(16, 36, 1) − (11/3)² = 53/3 − 121/9 = 38/9.
    const sigma2 = 38 / 9;
    expect(f[5]).toBeCloseTo(map, 12);
    expect(f[6]).toBeCloseTo(Math.sqrt((2 + 2 * sigma2) / 3), 12);
    expect(f[7]).toBeCloseTo(3 / 4, 12);
    expect(f[8]).toBeCloseTo(Math.log1p(3), 12);
  });

  it('answers with the prior for unseen words and -1 before any history', () => {
    const e = new SemanticFeatureExtractor({ views: ['target'] });
    expect(Array.from(e.features(toks('x', ['y']))).slice(0, 3)).toEqual([-1, 0, -1]);
    e.observe(toks('a', ['b']), 2);
    const f = e.features(toks('x', ['y']));
    expect(f[0]).toBe(2);
    expect(f[7]).toBe(0);
  });

  it('round-trips through JSON with identical features', () => {
    const e = new SemanticFeatureExtractor();
    const history = [toks('map', ['a', 'b']), toks('merge', ['b', 'c']), toks('map', ['a'])].map((t) => ({ ...t, subword: ['c:^ma', 'c:map'] }));
    e.fit(history, [1, 2, 3]);
    const back = SemanticFeatureExtractor.fromJSON(JSON.parse(JSON.stringify(e.toJSON())));
    const q = { ...toks('map', ['b', 'zz']), subword: ['c:map'] };
    expect(Array.from(back.features(q))).toEqual(Array.from(e.features(q)));
    expect(back.schemaHash).toBe(e.schemaHash);
  });
});

describe('semantic feature schema', () => {
  it('names carry the configuration, so the schema hash changes with it and only with it', () => {
    expect(semanticSchemaHash()).toBe(semanticSchemaHash({ ...DEFAULT_SEMANTIC_CONFIG }));
    expect(semanticSchemaHash({ ...DEFAULT_SEMANTIC_CONFIG, hashBits: 10 })).not.toBe(semanticSchemaHash());
    expect(semanticSchemaHash({ ...DEFAULT_SEMANTIC_CONFIG, views: ['target'] })).not.toBe(semanticSchemaHash());
    expect(semanticFeatureNames()).toHaveLength(10);
    expect(semanticFeatureNames()[0]).toMatch(/^sem1\[h12,t16,m2,l1,s19265,bc64\/20\]\.te_program$/);
  });

  it('rejects a bad configuration naming the setting', () => {
    expect(() => new SemanticFeatureExtractor({ hashBits: 40 })).toThrow(/hashBits/);
    expect(() => new SemanticFeatureExtractor({ views: [] })).toThrow(/views/);
  });
});

describe('outOfFoldSemanticFeatures', () => {
  it("never uses a group's own targets for its rows", () => {
    const tokens = [toks('map', ['x']), toks('map', ['x']), toks('map', ['x']), toks('sort', ['y'])];
    const groups = ['wf1', 'wf1', 'wf2', 'wf2'];
    const a = outOfFoldSemanticFeatures(tokens, [1, 1, 5, 2], groups, { views: ['target'] });
    const b = outOfFoldSemanticFeatures(tokens, [9, 9, 5, 2], groups, { views: ['target'] });
    const w = 9;
    // Rows of wf1 are featurised from wf2 only: changing wf1's targets leaves them unchanged…
    expect(Array.from(a.subarray(0, 2 * w))).toEqual(Array.from(b.subarray(0, 2 * w)));
    // …and changes wf2's rows, which learn from wf1.
    expect(Array.from(a.subarray(2 * w))).not.toEqual(Array.from(b.subarray(2 * w)));
    // wf1 rows see prog:map from wf2's single map row (target 5), smoothed toward wf2's prior 3.5.
    expect(a[0]).toBeCloseTo((5 + 2 * 3.5) / 3, 12);
  });
});
