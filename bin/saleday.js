#!/usr/bin/env node
// `npx saleday …`: runs the TypeScript CLI through tsx, so no build step stands between a clone and a rehearsal.
require('tsx/cjs');
require('./saleday.ts');
