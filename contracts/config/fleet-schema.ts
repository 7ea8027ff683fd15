/**
 * The config's `fleet` (the ECS tasks of the gate and the app) and `cache` (the ElastiCache group).
 */
import { z } from 'zod';
import { DEFAULT_REQUESTS_PER_TARGET_PER_SECOND, renamedRequestsPerTarget } from './fleet-rules';
import { positiveInt } from './schema-primitives';

/** Fargate's valid CPU/memory pairs (MiB), so a bad task size fails here rather than at deploy. */
export const FARGATE_MEMORY_BY_CPU: Record<number, readonly number[]> = {
  256: [512, 1024, 2048],
  512: [1024, 2048, 3072, 4096],
  1024: [2048, 3072, 4096, 5120, 6144, 7168, 8192],
  2048: Array.from({ length: 13 }, (_, i) => 4096 + i * 1024),
  4096: Array.from({ length: 23 }, (_, i) => 8192 + i * 1024),
};

export const FleetSchema = z
  .object({
    cpu: z.union([z.literal(256), z.literal(512), z.literal(1024), z.literal(2048), z.literal(4096)]).default(1024),
    memoryMiB: positiveInt().default(2048),
    /** Tasks outside sale windows. */
    baselineTasks: positiveInt().default(2),
    /** Tasks raised before each window (from `saleday plan`). */
    plannedTasks: positiveInt().default(12),
    /** Ceiling target tracking may reach during a window. */
    maxTasks: positiveInt().default(40),
    targetCpuPercent: z.number().min(10).max(90).default(55),
    /** Requests per second per task at which target tracking adds tasks (from `saleday plan --write`). */
    requestsPerTargetPerSecond: z.number().positive().default(DEFAULT_REQUESTS_PER_TARGET_PER_SECOND),
    requestsPerTarget: renamedRequestsPerTarget(),
    /** The shop's container: omitted means the reference storefront built from storefront/. */
    appImage: z.string().min(1).optional(),
    appPort: z.number().int().min(1024).max(65535).default(3000),
    gatePort: z.number().int().min(1024).max(65535).default(8080),
  })
  .strict()
  .superRefine((f, ctx) => {
    if (!FARGATE_MEMORY_BY_CPU[f.cpu]?.includes(f.memoryMiB)) {
      ctx.addIssue({
        code: 'custom',
        path: ['memoryMiB'],
        input: f.memoryMiB,
        message: `expected one of ${FARGATE_MEMORY_BY_CPU[f.cpu]?.join(', ')} MiB for cpu ${f.cpu}`,
      });
    }
    if (f.plannedTasks < f.baselineTasks) {
      ctx.addIssue({
        code: 'custom',
        path: ['plannedTasks'],
        input: f.plannedTasks,
        message: `expected at least baselineTasks (${f.baselineTasks})`,
      });
    }
    if (f.maxTasks < f.plannedTasks) {
      ctx.addIssue({
        code: 'custom',
        path: ['maxTasks'],
        input: f.maxTasks,
        message: `expected at least plannedTasks (${f.plannedTasks})`,
      });
    }
    if (f.appPort === f.gatePort) {
      ctx.addIssue({
        code: 'custom',
        path: ['appPort'],
        input: f.appPort,
        message: 'expected a port different from gatePort',
      });
    }
  });

export const CacheSchema = z
  .object({
    engine: z.enum(['valkey', 'redis']).default('valkey'),
    nodeType: z
      .string()
      .regex(/^cache\.[a-z0-9]+\.[a-z0-9]+$/, 'expected an ElastiCache node type such as cache.r7g.large')
      .default('cache.r7g.large'),
    /** Read replicas per shard; at least one for Multi-AZ automatic failover. */
    replicas: z.number().int().min(1).max(5).default(1),
    /** A non-default port (6379 is what scanners try first). */
    port: z
      .number()
      .int()
      .min(1024)
      .max(65535)
      .refine((p) => p !== 6379, 'expected a non-default port (not 6379)')
      .default(6380),
  })
  .strict();
