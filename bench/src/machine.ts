// What the figures were measured on, so results from different machines are not compared blindly.
import { execFileSync } from 'node:child_process';
import os from 'node:os';

export interface MachineInfo {
  cores: number;
  cpuModel: string;
  totalMemMb: number;
  node: string;
  platform: string;
  kernel: string;
  /** 1-minute load average when the run started (noise from other work on the machine). */
  loadAvgAtStart: number;
  gitCommit: string | null;
}

export function machineInfo(repoRoot: string): MachineInfo {
  let gitCommit: string | null = null;
  try {
    gitCommit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    gitCommit = null;
  }
  const cpus = os.cpus();
  return {
    cores: os.availableParallelism(),
    cpuModel: cpus[0]?.model ?? 'unknown',
    totalMemMb: Math.round(os.totalmem() / 2 ** 20),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    kernel: os.release(),
    loadAvgAtStart: Math.round((os.loadavg()[0] ?? 0) * 100) / 100,
    gitCommit,
  };
}
