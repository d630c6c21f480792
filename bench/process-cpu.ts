import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';

/**
 * CPU seconds used so far by this process (the runner, the handlers, fauxqs, aws-ses-v2-local, the fakes and the
 * bench's own client all run in it) and by DynamoDB Local's JVM, its JIT compiler threads apart from the rest
 * (request threads, SQLite, the collector). Linux only: read from /proc.
 */
export type CpuSample = { node: number; jvmJit: number; jvmRest: number };

/** Milliseconds of CPU per lead between two samples, by process. */
export type CpuPerLead = { node: number; jvmJit: number; jvmRest: number; total: number };

const TICKS_PER_SECOND = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

/** The JVM serving `endpoint`, found by the port on its command line; undefined off Linux. */
export function findDynamoDbJvm(endpoint: string): number | undefined {
  if (!existsSync('/proc/self/task')) return undefined;
  const port = new URL(endpoint).port;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let args: string[];
    try {
      args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
    } catch {
      continue; // gone between the listing and the read
    }
    const portAt = args.indexOf('-port');
    if (args.some((a) => a.includes('DynamoDBLocal')) && portAt >= 0 && args[portAt + 1] === port)
      return Number(entry);
  }
  return undefined;
}

/** utime + stime of one thread, in seconds; the name (`comm`) may hold spaces, so fields count from its `)`. */
export function threadCpu(stat: string): number {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

export function sampleCpu(jvmPid: number | undefined): CpuSample {
  const own = process.cpuUsage();
  const sample = { node: (own.user + own.system) / 1e6, jvmJit: 0, jvmRest: 0 };
  if (jvmPid === undefined) return sample;
  for (const tid of readdirSync(`/proc/${jvmPid}/task`)) {
    let name: string;
    let seconds: number;
    try {
      name = readFileSync(`/proc/${jvmPid}/task/${tid}/comm`, 'utf8');
      seconds = threadCpu(readFileSync(`/proc/${jvmPid}/task/${tid}/stat`, 'utf8'));
    } catch {
      continue; // a thread that ended between the listing and the read: its time is lost to both samples
    }
    // HotSpot names them "C1 CompilerThread0", "C2 CompilerThread1" (cut to 15 characters).
    if (/^C[12] Compiler/.test(name)) sample.jvmJit += seconds;
    else sample.jvmRest += seconds;
  }
  return sample;
}

export function cpuPerLead(before: CpuSample, after: CpuSample, leads: number): CpuPerLead {
  const ms = (a: number, b: number) => Math.round(((b - a) * 1000 * 10) / leads) / 10;
  const node = ms(before.node, after.node);
  const jvmJit = ms(before.jvmJit, after.jvmJit);
  const jvmRest = ms(before.jvmRest, after.jvmRest);
  return { node, jvmJit, jvmRest, total: Math.round((node + jvmJit + jvmRest) * 10) / 10 };
}
