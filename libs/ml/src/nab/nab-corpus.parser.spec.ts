import { parseNabCsv, parseNabLabels, parseNabProfiles, parseNabTimestamp } from './nab-corpus.parser';
import { NabInputError } from './nab.errors';

/** Runs `fn`, expecting a NabInputError, and returns it. */
function failure(fn: () => unknown): NabInputError {
  try {
    fn();
  } catch (e) {
    if (e instanceof NabInputError) return e;
    throw e;
  }
  throw new Error('expected a NabInputError');
}

describe('parseNabTimestamp', () => {
  it('reads NAB timestamps as UTC, with optional fractions', () => {
    expect(parseNabTimestamp('2014-04-01 00:05:00')).toBe(Date.UTC(2014, 3, 1, 0, 5, 0));
    expect(parseNabTimestamp('2014-04-01T00:05:00.250000')).toBe(Date.UTC(2014, 3, 1, 0, 5, 0, 250));
  });

  it('rejects malformed and impossible dates', () => {
    expect(parseNabTimestamp('2014-04-01')).toBeNaN();
    expect(parseNabTimestamp('2014-02-31 00:00:00')).toBeNaN();
  });
});

describe('parseNabCsv', () => {
  it('reads rows in file order, CRLF and trailing blank lines included', () => {
    const csv = 'timestamp,value\r\n2014-01-01 00:00:00,1.5\r\n2014-01-01 00:05:00,-2\r\n\r\n';
    expect(parseNabCsv(csv, 'x.csv')).toEqual({
      timestamps: [Date.UTC(2014, 0, 1, 0, 0), Date.UTC(2014, 0, 1, 0, 5)],
      values: [1.5, -2],
    });
  });

  it('names file, line and reason for a bad header', () => {
    const e = failure(() => parseNabCsv('time,value\n2014-01-01 00:00:00,1\n', 'data/a.csv'));
    expect(e).toMatchObject({ code: 'CSV_HEADER', source: 'data/a.csv', line: 1 });
    expect(e.message).toBe('data/a.csv:1: expected header "timestamp,value", got "time,value"');
  });

  it('names file, line and reason for a bad timestamp', () => {
    const csv = 'timestamp,value\n2014-01-01 00:00:00,1\n2014-13-01 00:00:00,2\n';
    const e = failure(() => parseNabCsv(csv, 'data/a.csv'));
    expect(e).toMatchObject({ code: 'CSV_ROW', line: 3 });
    expect(e.message).toBe('data/a.csv:3: field timestamp: not a valid timestamp "2014-13-01 00:00:00"');
  });

  it('names file, line and reason for a bad or empty value', () => {
    const csv = 'timestamp,value\n2014-01-01 00:00:00,1\n2014-01-01 00:05:00,1\n2014-01-01 00:10:00,abc\n';
    expect(failure(() => parseNabCsv(csv, 'b.csv')).message).toBe('b.csv:4: field value: not a finite number "abc"');
    expect(failure(() => parseNabCsv('timestamp,value\n2014-01-01 00:00:00,\n', 'b.csv')).message).toBe(
      'b.csv:2: field value: not a finite number ""',
    );
    expect(failure(() => parseNabCsv('timestamp,value\n2014-01-01 00:00:00,Infinity\n', 'b.csv')).line).toBe(2);
  });

  it('names file, line and reason for a row without a comma', () => {
    const e = failure(() => parseNabCsv('timestamp,value\n2014-01-01 00:00:00 7\n', 'c.csv'));
    expect(e).toMatchObject({ code: 'CSV_ROW', line: 2 });
    expect(e.message).toBe('c.csv:2: expected 2 fields, got "2014-01-01 00:00:00 7"');
  });

  it('rejects an empty file and a header-only file', () => {
    expect(failure(() => parseNabCsv('\n\n', 'e.csv'))).toMatchObject({ code: 'CSV_EMPTY', message: 'e.csv: file is empty' });
    expect(failure(() => parseNabCsv('timestamp,value\n', 'e.csv')).message).toBe('e.csv: no data rows after the header');
  });
});

describe('parseNabLabels', () => {
  it('reads windows and sorts them by start', () => {
    const labels = parseNabLabels(
      JSON.stringify({
        'cat/a.csv': [
          ['2014-01-02 00:00:00.000000', '2014-01-02 01:00:00.000000'],
          ['2014-01-01 00:00:00.000000', '2014-01-01 01:00:00.000000'],
        ],
        'cat/b.csv': [],
      }),
      'labels.json',
    );
    expect(labels.get('cat/a.csv')).toEqual([
      [Date.UTC(2014, 0, 1, 0), Date.UTC(2014, 0, 1, 1)],
      [Date.UTC(2014, 0, 2, 0), Date.UTC(2014, 0, 2, 1)],
    ]);
    expect(labels.get('cat/b.csv')).toEqual([]);
  });

  it('names the file and the reason for bad JSON and bad shapes', () => {
    expect(failure(() => parseNabLabels('{', 'l.json'))).toMatchObject({ code: 'LABELS_FORMAT', source: 'l.json' });
    expect(failure(() => parseNabLabels('{', 'l.json')).message).toMatch(/^l\.json: not valid JSON \(/);
    expect(failure(() => parseNabLabels('[]', 'l.json')).message).toBe(
      'l.json: expected an object mapping series path to a list of windows',
    );
    expect(failure(() => parseNabLabels('{"a.csv": 3}', 'l.json')).message).toBe('l.json: "a.csv": expected a list of windows');
  });

  it('names the series, window and reason for a bad window', () => {
    expect(failure(() => parseNabLabels('{"a.csv": [["2014-01-01 00:00:00"]]}', 'l.json'))).toMatchObject({
      code: 'LABELS_WINDOW',
      message: 'l.json: "a.csv" window 0: expected ["start", "end"] timestamps',
    });
    expect(failure(() => parseNabLabels('{"a.csv": [["yesterday", "2014-01-01 00:00:00"]]}', 'l.json')).message).toBe(
      'l.json: "a.csv" window 0: bad start timestamp "yesterday"',
    );
    expect(failure(() => parseNabLabels('{"a.csv": [["2014-01-02 00:00:00", "2014-01-01 00:00:00"]]}', 'l.json')).message).toBe(
      'l.json: "a.csv" window 0: end is before start',
    );
    const overlap = '{"a.csv": [["2014-01-01 00:00:00", "2014-01-03 00:00:00"], ["2014-01-02 00:00:00", "2014-01-04 00:00:00"]]}';
    expect(failure(() => parseNabLabels(overlap, 'l.json')).message).toBe('l.json: "a.csv": windows overlap');
  });
});

describe('parseNabProfiles', () => {
  it('reads the cost matrices', () => {
    const text = '{"standard": {"CostMatrix": {"tpWeight": 1, "fpWeight": 0.11, "fnWeight": 1, "tnWeight": 1}}}';
    expect(parseNabProfiles(text, 'p.json').get('standard')).toEqual({ tpWeight: 1, fpWeight: 0.11, fnWeight: 1 });
  });

  it('names the file, profile and reason for a bad profile', () => {
    expect(failure(() => parseNabProfiles('{"x": {}}', 'p.json')).message).toBe('p.json: profile "x": missing CostMatrix object');
    expect(failure(() => parseNabProfiles('{"x": {"CostMatrix": {"tpWeight": 1, "fpWeight": -1, "fnWeight": 1}}}', 'p.json')).message).toBe(
      'p.json: profile "x": CostMatrix.fpWeight must be a non-negative number',
    );
    expect(failure(() => parseNabProfiles('{}', 'p.json')).message).toBe('p.json: no profiles');
    expect(failure(() => parseNabProfiles('nope', 'p.json')).code).toBe('PROFILES_FORMAT');
  });
});
