import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { cpuPerLead, findDynamoDbJvm, sampleCpu, threadCpu } from '../../bench/process-cpu.ts';

// The bench's "where the time goes" table: CPU per lead by process, read from /proc.
describe('CPU per lead by process', () => {
  it("reads a thread's user and system time after its name, which may hold spaces and parentheses", () => {
    // /proc/<pid>/task/<tid>/stat: pid (comm) state ppid … utime(14th) stime(15th) …, in clock ticks.
    const stat = '4242 (C2 CompilerThre) S 1 4242 4242 0 -1 4194368 10 0 0 0 250 30 0 0 20 0 40 0';
    expect(threadCpu(stat)).toBe(2.8);
    expect(threadCpu(stat.replace('C2 CompilerThre', 'a) (b'))).toBe(2.8);
  });

  it('finds the emulator JVM by the port on its command line, and no other process', async () => {
    const child = spawn(
      process.execPath,
      ['-e', 'setTimeout(() => {}, 10_000)', 'DynamoDBLocal.jar', '-port', '43917'],
      { stdio: 'ignore' },
    );
    try {
      await new Promise((resolve) => child.once('spawn', resolve));
      expect(findDynamoDbJvm('http://127.0.0.1:43917')).toBe(child.pid);
      expect(findDynamoDbJvm('http://127.0.0.1:43918')).toBeUndefined();
    } finally {
      child.kill();
    }
  });

  it('counts the threads it samples, and only compiler threads as JIT', () => {
    // This process stands in for the JVM: none of its threads is a HotSpot compiler thread.
    const before = sampleCpu(process.pid);
    const until = process.hrtime.bigint() + 200_000_000n;
    let spin = 0;
    while (process.hrtime.bigint() < until) spin++;
    const after = sampleCpu(process.pid);
    expect(spin).toBeGreaterThan(0);
    expect(after.jvmRest - before.jvmRest).toBeGreaterThan(0.05);
    expect(after.jvmJit).toBe(0);
    expect(after.node - before.node).toBeGreaterThan(0.05);
  });

  it('shares each process’s time among the leads, in milliseconds', () => {
    const per = cpuPerLead({ node: 1, jvmJit: 0.5, jvmRest: 2 }, { node: 3, jvmJit: 0.7, jvmRest: 5 }, 100);
    expect(per).toEqual({ node: 20, jvmJit: 2, jvmRest: 30, total: 52 });
  });
});
