/* The station: a tile per slot, its state in colour and what the operator must do next, and the jobs waiting for a stick. */

import { PAGE_SIZE, request } from './api.js';
import { formatBytes } from './format.js';
import { make, setAttr, setText } from './dom.js';
import { describeError, showMessage } from './messages.js';
import { refreshNow } from './live.js';

/** What the operator must do next at a slot, in words. */
const SLOT_HINTS = {
  EMPTY: 'plug in a blank stick',
  READY: 'blank stick ready',
  WRITING: 'writing, do not remove',
  DONE: 'remove the stick',
  FAULTY: 'replace the stick',
};

const slotsPanel = document.querySelector('[data-testid="slots"]');
const waitingList = document.querySelector('[data-testid="waiting-jobs"]');

function slotTile(slot) {
  let tile = slotsPanel.querySelector('[data-slot="' + CSS.escape(slot.slot) + '"]');
  if (!tile) {
    tile = make('div', 'slot');
    tile.setAttribute('data-testid', 'slot-tile');
    tile.setAttribute('data-slot', slot.slot);
    tile.appendChild(make('div', 'slot-name', slot.slot));
    tile.appendChild(make('div', 'slot-state'));
    tile.appendChild(make('div', 'slot-hint'));
    tile.appendChild(make('div', 'slot-detail'));
    const release = make('button', 'action slot-release', 'Stick removed');
    release.type = 'button';
    release.setAttribute('data-testid', 'release-button');
    release.setAttribute('data-release-slot', slot.slot);
    tile.appendChild(release);
    slotsPanel.appendChild(tile);
  }
  return tile;
}

function slotDetail(slot) {
  if (slot.state === 'WRITING') {
    const speed = slot.bytesPerSecond ? ' · ' + (slot.bytesPerSecond / 1e6).toFixed(1) + ' MB/s' : '';
    return (slot.orderId || '') + (slot.progress === null ? '' : ' · ' + slot.progress + '%') + speed;
  }
  if (slot.state === 'DONE') return slot.orderId + (slot.label ? ' · label: ' + slot.label : '');
  if (slot.state === 'FAULTY') return slot.problem || '';
  if (slot.stick && slot.stick.sizeBytes) return formatBytes(slot.stick.sizeBytes) + ' ' + slot.stick.fsType;
  return '';
}

function renderStation(slots, waiting) {
  const seen = new Set();
  slots.forEach(function (slot) {
    seen.add(slot.slot);
    const tile = slotTile(slot);
    setAttr(tile, 'data-state', slot.state);
    setText(tile.querySelector('.slot-state'), slot.state);
    setText(tile.querySelector('.slot-hint'), slot.state === 'DONE' && slot.label
      ? 'remove the stick: ' + slot.label : SLOT_HINTS[slot.state]);
    setText(tile.querySelector('.slot-detail'), slotDetail(slot));
    tile.querySelector('[data-testid="release-button"]').hidden = slot.state !== 'DONE';
  });
  slotsPanel.querySelectorAll('[data-slot]').forEach(function (tile) {
    if (!seen.has(tile.getAttribute('data-slot'))) tile.remove();
  });
  waitingList.textContent = '';
  if (!waiting.length) waitingList.appendChild(make('li', 'muted', 'none'));
  waiting.forEach(function (job) {
    const item = make('li', null, job.orderId + ' · ' + (job.waitingFor || 'a stick') + ' · ' + job.priority);
    item.setAttribute('data-testid', 'waiting-job');
    waitingList.appendChild(item);
  });
}

export async function refreshStation() {
  const [slots, waiting] = await Promise.all([
    request('GET', 'api/slots'),
    request('GET', 'api/jobs', { status: 'WAITING', limit: PAGE_SIZE }),
  ]);
  renderStation(slots.body, waiting.body.jobs);
}

async function releaseSlot(button) {
  const slot = button.getAttribute('data-release-slot');
  button.disabled = true;
  try {
    const result = await request('POST', 'api/slots/' + encodeURIComponent(slot) + '/release');
    showMessage('success', 'Slot ' + slot + ' released; it is ' + result.body.state + '.');
  } catch (error) {
    showMessage('error', 'Could not release slot ' + slot + ': ' + describeError(error));
  } finally {
    button.disabled = false;
    refreshNow();
  }
}

export function initStation() {
  slotsPanel.addEventListener('click', function (event) {
    const button = event.target.closest('button[data-release-slot]');
    if (button && !button.disabled) releaseSlot(button);
  });
}
