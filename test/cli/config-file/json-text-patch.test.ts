import { patchJsonText, setJsonValue } from '../../../cli/config-file/json-text-patch';

describe('setJsonValue', () => {
  it('replaces a value in place, leaving every other character', () => {
    const text = '{\n  "a": { "b": 1,   "c": [1,2] },\n  "d": "x"   \n}\n';
    expect(setJsonValue(text, ['a', 'b'], 22)).toBe('{\n  "a": { "b": 22,   "c": [1,2] },\n  "d": "x"   \n}\n');
    expect(setJsonValue(text, ['d'], 'y"z')).toBe('{\n  "a": { "b": 1,   "c": [1,2] },\n  "d": "y\\"z"   \n}\n');
  });

  it('adds a missing key after the last member, in the style of its object', () => {
    expect(setJsonValue('{ "a": 1 }', ['b'], [1, 2])).toBe('{ "a": 1, "b": [1, 2] }');
    expect(setJsonValue('{\n    "a": 1\n}', ['b'], { c: 1 })).toBe(
      '{\n    "a": 1,\n    "b": {\n        "c": 1\n    }\n}',
    );
    expect(setJsonValue('{"a": {}}', ['a', 'b'], true)).toBe('{"a": { "b": true }}');
  });

  it('creates missing parents', () => {
    expect(setJsonValue('{\n  "a": 1\n}', ['cache', 'nodeType'], 'cache.t4g.small')).toBe(
      '{\n  "a": 1,\n  "cache": {\n    "nodeType": "cache.t4g.small"\n  }\n}',
    );
  });

  it('keeps a replaced object indented when it was, one-line when it was', () => {
    const multi = '{\n  "plan": {\n    "x": 1\n  }\n}';
    expect(setJsonValue(multi, ['plan'], { x: 2, y: 'z' })).toBe('{\n  "plan": {\n    "x": 2,\n    "y": "z"\n  }\n}');
    expect(setJsonValue('{ "plan": { "x": 1 } }', ['plan'], { x: 2, y: [1] })).toBe('{ "plan": { "x": 2, "y": [1] } }');
  });

  it('reads strings with escapes and keys that look like structure', () => {
    const text = '{ "a\\"}": "{[", "b": 1 }';
    expect(patchJsonText(text, [{ path: ['b'], value: 2 }])).toBe('{ "a\\"}": "{[", "b": 2 }');
  });

  it('refuses text that is not JSON, and a path through a non-object', () => {
    expect(() => setJsonValue('{ "a": }', ['a'], 1)).toThrow(/not valid JSON at character 7: expected a value/);
    expect(() => setJsonValue('{ "a": [1] }', ['a', 'b'], 1)).toThrow(/a is not an object/);
  });
});
