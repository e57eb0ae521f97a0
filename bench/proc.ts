// What Linux tells about a process in /proc/<pid>/stat and /proc/<pid>/status.

/** utime + stime, in clock ticks, from /proc/<pid>/stat (fields 14 and 15; the name in parentheses may hold spaces). */
export function cpuTicks(statText: string): number {
  const fields = statText.slice(statText.lastIndexOf(')') + 2).trim().split(/\s+/);
  // Counting from field 3 (state), which follows the name: utime is field 14, stime 15.
  const utime = Number(fields[14 - 3]);
  const stime = Number(fields[15 - 3]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) throw new Error('unexpected /proc/<pid>/stat format');
  return utime + stime;
}

/** Resident memory in KiB, from the VmRSS line of /proc/<pid>/status. */
export function rssKiB(statusText: string): number {
  const match = /^VmRSS:\s+([0-9]+)\s+kB/m.exec(statusText);
  if (!match) throw new Error('no VmRSS in /proc/<pid>/status (has the process exited?)');
  return Number(match[1]);
}
