import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { configJsonSchema } from '../../../contracts/config/write-json-schema';

describe('saleday.config.schema.json', () => {
  it('is the JSON Schema of the zod config schema (run `npm run schema` after changing contracts/config/schema.ts)', () => {
    const checkedIn = JSON.parse(readFileSync(join(__dirname, '../../../saleday.config.schema.json'), 'utf8'));
    expect(checkedIn).toEqual(configJsonSchema());
  });

  it('describes the example config’s top-level fields', () => {
    const schema = configJsonSchema() as { properties: Record<string, unknown>; required: string[] };
    const example = JSON.parse(readFileSync(join(__dirname, '../../../saleday.config.json'), 'utf8'));
    for (const key of Object.keys(example)) expect(Object.keys(schema.properties)).toContain(key);
    expect(schema.required).toEqual(
      expect.arrayContaining(['saleName', 'app', 'windows', 'fleet', 'routes', 'waf', 'notifications', 'pricing']),
    );
  });
});
