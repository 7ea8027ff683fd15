/** Writes saleday.config.schema.json (for editors) from the zod schema: `npm run schema`. */
import { writeFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigSchema } from './schema';

export function configJsonSchema(): object {
  return z.toJSONSchema(ConfigSchema, { io: 'input', unrepresentable: 'any' });
}

if (require.main === module) {
  writeFileSync('saleday.config.schema.json', `${JSON.stringify(configJsonSchema(), null, 2)}\n`);
  console.log('wrote saleday.config.schema.json');
}
