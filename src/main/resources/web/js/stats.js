/* The statistics cards and figures above the station, from GET /api/queue. */

import { request } from './api.js';
import { formatAge, formatCount, formatDuration } from './format.js';
import { setText } from './dom.js';

// The Queue answer's counts; each has a card named for it.
const COUNTS = ['total', 'queued', 'processing', 'retrying', 'waiting', 'completed', 'failed', 'cancelled'];

function figure(name) {
  return document.querySelector('[data-testid="' + name + '"]');
}

function renderQueue(queue) {
  COUNTS.forEach(function (name) {
    setText(figure('card-' + name).querySelector('.card-value'), formatCount(queue[name]));
  });
  setText(figure('avg-duration'), formatDuration(queue.avgDurationMs));
  const perMinute = queue.throughput.lastHour.perMinute;
  setText(figure('throughput'), perMinute.toFixed(perMinute < 10 ? 2 : 1) + ' / min');
  setText(figure('active-jobs'), formatCount(queue.activeJobs));
  const oldest = queue.oldestQueuedAgeSeconds;
  setText(figure('oldest-queued'), oldest === null ? 'none' : formatAge(oldest));
  // A backlog that grows means the broker is away or refuses the relay; its age says how long.
  const events = queue.statusEvents;
  setText(figure('status-backlog'), formatCount(events.backlog));
  setText(figure('status-backlog-age'),
    events.oldestAgeSeconds === null ? '' : '(oldest ' + formatAge(events.oldestAgeSeconds) + ')');
}

export async function refreshStats() {
  const result = await request('GET', 'api/queue');
  renderQueue(result.body);
}
