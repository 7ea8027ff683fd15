/**
 * The priority classes every request is sorted into, highest first: the config's routes name them,
 * the gate admits and sheds by them, the metrics carry them as a dimension, the rehearsal reports
 * them. Imports nothing of the project.
 */
export const PRIORITY_CLASSES = ['critical', 'high', 'normal', 'low'] as const;

export type PriorityClass = (typeof PRIORITY_CLASSES)[number];
