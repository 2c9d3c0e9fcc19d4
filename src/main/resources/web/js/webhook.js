/* The webhook's parked status events, from GET /api/status-events/parked, each with a Re-send button. */

import { request } from './api.js';
import { make, setText } from './dom.js';
import { describeError, showMessage } from './messages.js';
import { refreshNow } from './live.js';

const panel = document.querySelector('[data-testid="webhook"]');
const list = document.querySelector('[data-testid="parked-events"]');
const count = document.querySelector('[data-testid="parked-count"]');
let shownIds = null;

async function resend(event) {
  try {
    await request('POST', 'api/status-events/' + encodeURIComponent(event.id) + '/resend');
    showMessage('ok', 'Status event ' + event.type + ' of ' + event.orderId + ' will be posted again');
  } catch (error) {
    showMessage('error', 'Re-send of ' + event.orderId + ' failed: ' + describeError(error));
  }
  refreshNow();
}

function row(event) {
  const item = make('li', 'parked-event');
  item.setAttribute('data-testid', 'parked-event');
  item.setAttribute('data-order-id', event.orderId);
  item.append(
    make('strong', null, event.orderId),
    make('span', null, ' ' + event.type + ' #' + event.sequence + ', ' + event.attempts + ' posts: '),
    make('span', 'muted', event.error || ''));
  const button = make('button', 'button', 'Re-send');
  button.type = 'button';
  button.setAttribute('data-testid', 'resend-button');
  button.addEventListener('click', function () { resend(event); });
  item.append(' ', button);
  return item;
}

export async function refreshWebhook() {
  const parked = (await request('GET', 'api/status-events/parked')).body;
  // Shown where the installation has a webhook, or something is still parked from one.
  panel.hidden = !parked.webhook && parked.count === 0;
  setText(count, parked.count === 0 ? 'none' : String(parked.count));
  const ids = parked.events.map(function (event) { return event.id; }).join(',');
  if (ids === shownIds) return;
  shownIds = ids;
  list.replaceChildren(...parked.events.map(row));
}
