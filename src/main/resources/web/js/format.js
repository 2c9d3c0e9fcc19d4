/* Text for times, durations, sizes and counts, as the dashboard shows them. */

const RUNNING = ['PROCESSING', 'RETRYING'];

function pad2(n) {
  return String(n).padStart(2, '0');
}

export function clockTime(date) {
  return pad2(date.getHours()) + ':' + pad2(date.getMinutes()) + ':' + pad2(date.getSeconds());
}

function parseTime(iso) {
  if (!iso) return null;
  const date = new Date(iso);
  return isNaN(date.getTime()) ? null : date;
}

export function dateTime(iso) {
  const date = parseTime(iso);
  if (!date) return '–';
  const day = date.getFullYear() + '-' + pad2(date.getMonth() + 1) + '-' + pad2(date.getDate());
  return day + ' ' + clockTime(date);
}

/** Today's times show only the clock; older ones the date too. */
export function shortDateTime(iso) {
  const date = parseTime(iso);
  if (!date) return '–';
  if (date.toDateString() === new Date().toDateString()) return clockTime(date);
  return pad2(date.getMonth() + 1) + '-' + pad2(date.getDate()) + ' ' + pad2(date.getHours()) + ':' + pad2(date.getMinutes());
}

export function formatDuration(ms) {
  if (ms === null || ms === undefined || !isFinite(ms)) return '–';
  if (ms < 0) ms = 0;
  if (ms < 1000) return Math.round(ms) + ' ms';
  if (ms < 60000) return (Math.floor(ms / 100) / 10).toFixed(1) + ' s';
  const totalSeconds = Math.floor(ms / 1000);
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  if (hours === 0) return minutes + ' min ' + seconds + ' s';
  if (hours < 24) return hours + ' h ' + minutes + ' min';
  return Math.floor(hours / 24) + ' d ' + (hours % 24) + ' h';
}

export function formatAge(seconds) {
  if (!isFinite(seconds)) return '–';
  return seconds < 60 ? Math.max(0, Math.round(seconds)) + ' s' : formatDuration(seconds * 1000);
}

export function formatBytes(bytes) {
  if (bytes === null || bytes === undefined || !isFinite(bytes)) return '–';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return (unit === 0 ? String(value) : value.toFixed(1)) + ' ' + units[unit];
}

export function formatCount(value) {
  return value === null || value === undefined ? '–' : String(value);
}

export function clampProgress(value) {
  const n = Math.round(Number(value));
  if (!isFinite(n)) return 0;
  return Math.min(100, Math.max(0, n));
}

/** Finished jobs have durationMs; a running job shows the time since it started. */
export function jobDuration(job) {
  if (job.durationMs !== null && job.durationMs !== undefined) return { ms: job.durationMs, running: false };
  const started = parseTime(job.startedAt);
  if (started && RUNNING.includes(job.status) && !job.completedAt) {
    return { ms: Date.now() - started.getTime(), running: true };
  }
  return { ms: null, running: false };
}
