/**
 * The region of everything at the edge: CLOUDFRONT-scope WebACLs, CloudFront's and the edge WAF's
 * metrics and their alarms exist only here, so the stacks, the dashboard and preflight all use it.
 * Imports nothing of the project.
 */
export const EDGE_REGION = 'us-east-1';
