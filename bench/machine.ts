import { readFileSync } from 'node:fs';
import os from 'node:os';

/** What the results file records about the machine, so figures from different machines are never mixed up. */
export interface MachineInfo {
  readonly cpuModel: string;
  /** Logical CPUs this process may use. */
  readonly threads: number;
  readonly cpuFlags: readonly string[];
  readonly totalMemoryBytes: number;
  readonly platform: string;
  readonly kernel: string;
  readonly node: string;
  readonly v8: string;
  readonly loadAverage: readonly number[];
}

/** SIMD features that decide which kernels run (from /proc/cpuinfo on Linux). */
const INTERESTING_FLAGS = [
  'avx',
  'avx2',
  'fma',
  'avx512f',
  'avx512bw',
  'avx512vl',
  'avx512_bf16',
  'avx512_vnni',
];

export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    threads: os.availableParallelism(),
    cpuFlags: cpuFlags(),
    totalMemoryBytes: os.totalmem(),
    platform: `${os.platform()}-${os.arch()}`,
    kernel: os.release(),
    node: process.versions.node,
    v8: process.versions.v8,
    loadAverage: os.loadavg(),
  };
}

function cpuFlags(): string[] {
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('flags'));
    const flags = new Set(line?.split(':')[1]?.trim().split(/\s+/) ?? []);
    return INTERESTING_FLAGS.filter((f) => flags.has(f));
  } catch {
    return [];
  }
}

/** A file-name-safe label for the machine: CPU model and thread count, e.g. `amd-epyc-2t`. */
export function machineSlug(info: MachineInfo): string {
  const model = info.cpuModel
    .toLowerCase()
    .replace(/\(r\)|\(tm\)|cpu|processor|@.*$/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
  return `${model || 'cpu'}-${info.threads}t`;
}
