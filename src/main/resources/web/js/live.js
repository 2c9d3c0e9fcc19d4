/*
 * Keeps the page current. Every panel refreshes together, one refresh at a time. Changes arrive on
 * GET /api/events (Server-Sent Events, read with fetch so the API token goes along); while that
 * stream runs, polling is a slow safety net, and when it breaks the page polls every second again
 * and reconnects after a while.
 */

import { apiHeaders, apiUrl } from './api.js';
import { markConnected, markConnectionLost } from './messages.js';

const POLL_MS = 1000;
const STREAMING_POLL_MS = 15000;
const STREAM_RETRY_MS = 5000;
// A job's changes come in bursts (stage after stage): one refresh covers each burst.
const EVENT_SETTLE_MS = 200;

const panels = [];
let pollTimer = null;
let polling = false;
let pollAgain = false;
let streaming = false;
let eventTimer = null;

/** The panels' refresh functions (async); one that fails marks the connection lost. */
export function refreshEach(...refreshers) {
  panels.push(...refreshers);
}

/** Refreshes every panel now, then polls on; a refresh asked for meanwhile runs after this one. */
export async function refreshNow() {
  if (polling) {
    pollAgain = true;
    return;
  }
  clearTimeout(pollTimer);
  polling = true;
  pollAgain = false;
  const results = await Promise.allSettled(panels.map(function (refresh) { return refresh(); }));
  const failure = results.find(function (r) { return r.status === 'rejected'; });
  if (failure) markConnectionLost(failure.reason);
  else markConnected();
  polling = false;
  if (pollAgain) refreshNow();
  else pollTimer = setTimeout(refreshNow, streaming ? STREAMING_POLL_MS : POLL_MS);
}

async function listenForChanges() {
  try {
    const response = await fetch(apiUrl('api/events'), {
      headers: apiHeaders('text/event-stream'),
      cache: 'no-store',
      credentials: 'same-origin',
    });
    if (!response.ok || !response.body) throw new Error('HTTP ' + response.status);
    setStreaming(true);
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    for (;;) {
      const chunk = await reader.read();
      if (chunk.done) break;
      buffer += chunk.value;
      const events = buffer.split('\n\n');
      buffer = events.pop();
      if (events.some(function (event) { return /^event: /m.test(event); })) changeHeard();
    }
  } catch (error) {
    // Falls back to polling below.
  }
  setStreaming(false);
  setTimeout(listenForChanges, STREAM_RETRY_MS);
}

function setStreaming(on) {
  streaming = on;
  document.body.setAttribute('data-updates', on ? 'stream' : 'polling');
  if (!on) refreshNow();
}

function changeHeard() {
  if (eventTimer) return;
  eventTimer = setTimeout(function () {
    eventTimer = null;
    refreshNow();
  }, EVENT_SETTLE_MS);
}

export function startLiveUpdates() {
  document.body.setAttribute('data-updates', 'polling');
  refreshNow();
  listenForChanges();
}
