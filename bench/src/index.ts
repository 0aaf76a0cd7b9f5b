// Reusable pieces of the benchmark (the entry point is run.ts).
export { chatBody, BENCH_MODEL } from './body.ts';
export { runClosedLoop, runOpenLoop } from './load.ts';
export type { ClosedLoopOptions, OpenLoopOptions, PhaseResult, Target } from './load.ts';
export { freePort, proxyOnlyConfig, startGatewayChild, startMockChild, rssMb } from './processes.ts';
export type { GatewayConfig } from './processes.ts';
export { addedMs, median, newLatencyHistogram, ratio, recordMs, summarize } from './stats.ts';
export type { LatencySummary } from './stats.ts';
export { closedLoopSuite, concurrencyFigures, rateSweep } from './suites.ts';
