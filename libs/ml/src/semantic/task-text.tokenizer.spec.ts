import { tokenizeTaskText, wordsOf } from './task-text.tokenizer';

describe('wordsOf', () => {
  it.each([
    ['mDiffFit', ['m', 'diff', 'fit']],
    ['individuals_ID0000001', ['individuals', 'id', '<n7>']],
    ['HEP2_MSP1_Digests.nocontam.map', ['hep', '2', 'msp', '1', 'digests', 'nocontam', 'map']],
    ['cycles_params-7ad729864a79597b71b8b8d8d86d7738.csv', ['cycles', 'params', '<hex>', 'csv']],
    ['--fertilizer-increase', ['fertilizer', 'increase']],
    ['ALL.chr21.100000.vcf', ['all', 'chr', '21', '<n6>', 'vcf']],
    ['HTTPServer', ['http', 'server']],
    ['', []],
  ])('splits %j into %j', (text, words) => {
    expect(wordsOf(text)).toEqual(words);
  });
});

describe('tokenizeTaskText', () => {
  it('emits the program, words, bigrams, labels and character 3-grams, de-duplicated', () => {
    const t = tokenizeTaskText({ name: 'frequency_ID0000122', program: '/usr/bin/frequency', args: ['-c', '1', '-pop', 'AFR'], labels: { Team: 'Genomics' } });
    expect(t.program).toBe('prog:frequency');
    expect(t.argCount).toBe(4);
    expect(t.identifying).toEqual(
      expect.arrayContaining(['prog:frequency', 'w:usr', 'w:frequency', 'w:pop', 'w:afr', 'b:usr_bin', 'b:bin_frequency', 'l:team=genomics', 'w:genomics']),
    );
    expect(new Set(t.identifying).size).toBe(t.identifying.length);
    expect(t.subword).toEqual(expect.arrayContaining(['c:^fr', 'c:fre', 'c:cy$', 'c:^af', 'c:fr$']));
    expect(t.subword.some((s) => s.includes('<'))).toBe(false);
  });

  it('caps arguments and output lines, but counts every argument', () => {
    const args = Array.from({ length: 300 }, (_, i) => `file${i}.fits`);
    const t = tokenizeTaskText({ program: 'mAdd', args, outputLines: ['a', 'b', 'c'] }, { maxArgs: 2, maxOutputLines: 1, bigrams: false, charTrigrams: false });
    expect(t.argCount).toBe(300);
    expect(t.identifying).toEqual(['prog:madd', 'w:m', 'w:add', 'w:file', 'w:0', 'w:fits', 'w:1', 'w:c']);
    expect(t.subword).toEqual([]);
  });

  it('gives nothing for a task without text', () => {
    expect(tokenizeTaskText({})).toEqual({ identifying: [], subword: [], program: null, argCount: 0 });
  });
});
