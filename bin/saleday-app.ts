#!/usr/bin/env node
/**
 * CDK app entry (`cdk.json` runs it): the sale's config from SALEDAY_CONFIG or
 * ./saleday.config.json, validated before any construct is created.
 */
import { isConfigError } from '../contracts/config/config-error';
import { buildSaledayApp } from '../lib/stacks/saleday-app';

try {
  buildSaledayApp().app.synth();
} catch (error) {
  if (isConfigError(error)) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}
