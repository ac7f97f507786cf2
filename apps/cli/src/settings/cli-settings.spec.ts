import { loginFilePath } from './cli-config.file';
import { checkKey, keyLabel, resolveConnection } from './cli-settings';

const KEY = `kairos_0123456789abcdef_${'b'.repeat(43)}`;
const OTHER = `kairos_fedcba9876543210_${'c'.repeat(43)}`;

describe('resolveConnection', () => {
  const file = '/h/.config/kairos/config.json';
  it('flag, then environment, then the saved login, then the default', () => {
    const saved = { url: 'http://saved:1', key: KEY };
    expect(resolveConnection({}, {}, null, file)).toEqual({ url: 'http://127.0.0.1:3000', urlSource: 'default', key: undefined, keySource: undefined });
    expect(resolveConnection({}, {}, saved, file)).toEqual({ url: 'http://saved:1', urlSource: file, key: KEY, keySource: file });
    expect(resolveConnection({}, { KAIROS_URL: 'http://env:2', KAIROS_KEY: OTHER }, saved, file)).toMatchObject({ url: 'http://env:2', urlSource: 'KAIROS_URL', key: OTHER });
    expect(resolveConnection({ url: 'https://flag:3', key: KEY }, { KAIROS_URL: 'http://env:2', KAIROS_KEY: OTHER }, saved, file)).toMatchObject({ url: 'https://flag:3', urlSource: '--url', key: KEY, keySource: '--key' });
    // An empty variable counts as unset.
    expect(resolveConnection({}, { KAIROS_URL: '' }, saved, file).url).toBe('http://saved:1');
  });

  it('names the source of a bad URL or key, never echoing the key', () => {
    expect(() => resolveConnection({}, { KAIROS_URL: 'ftp://x' }, null, file)).toThrow('KAIROS_URL: must start with http:// or https://');
    expect(() => resolveConnection({}, {}, { url: 'nope' }, file)).toThrow(`${file}: not a URL: "nope"`);
    expect(() => resolveConnection({}, { KAIROS_KEY: 'hunter2 ' }, null, file)).toThrow('KAIROS_KEY: not a Kairos API key (expected kairos_<16 hex>_<43 base64url characters>, got 8 characters with whitespace)');
  });
});

describe('keys', () => {
  it('accepts the documented format and prints only the id part', () => {
    expect(() => checkKey(KEY, 'x')).not.toThrow();
    expect(() => checkKey(`${KEY}=`, 'x')).toThrow();
    expect(keyLabel(KEY)).toBe('kairos_0123456789abcdef_…');
  });
});

describe('loginFilePath', () => {
  it('follows XDG_CONFIG_HOME when absolute, else ~/.config', () => {
    expect(loginFilePath({ XDG_CONFIG_HOME: '/x/cfg' }, '/home/u')).toBe('/x/cfg/kairos/config.json');
    expect(loginFilePath({}, '/home/u')).toBe('/home/u/.config/kairos/config.json');
    expect(loginFilePath({ XDG_CONFIG_HOME: 'relative' }, '/home/u')).toBe('/home/u/.config/kairos/config.json');
  });
});
