import { readFileSync } from 'node:fs';

// /proc/<pid>/stat counts in clock ticks, 100 per second on Linux (getconf CLK_TCK).
const TICKS_PER_SECOND = 100;

/**
 * CPU seconds (user + system) a process has used so far, or null off Linux. Unlike throughput,
 * CPU per request hardly changes when other work competes for the machine.
 */
export function processCpuSeconds(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which may itself contain spaces: state is field 3, utime 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return null;
  }
}
