/* What the page tells the operator: the message bar and the connection state in the header. */

import { ApiError } from './api.js';
import { clockTime } from './format.js';
import { setAttr, setText } from './dom.js';

const message = document.querySelector('[data-testid="message"]');
const messageBar = document.querySelector('.message-bar');
const messageClose = document.querySelector('[data-testid="message-close"]');
const connection = document.querySelector('[data-testid="connection-status"]');
const updatedAt = document.querySelector('[data-testid="updated-at"]');

let lastSuccess = null;

export function showMessage(kind, text) {
  messageBar.setAttribute('data-kind', kind);
  message.setAttribute('data-kind', kind);
  message.textContent = text;
}

function clearMessage() {
  showMessage('none', '');
}

export function initMessages() {
  messageClose.addEventListener('click', clearMessage);
}

export function describeError(error) {
  if (error instanceof ApiError && error.status === 401) {
    return 'this product needs its API token to show jobs; enter it in the header (' + error.message + ')';
  }
  if (error instanceof ApiError) return error.message + ' (HTTP ' + error.status + ')';
  if (error instanceof TypeError) return 'the server cannot be reached';
  return error.message || String(error);
}

export function markConnected() {
  lastSuccess = new Date();
  setAttr(connection, 'data-state', 'ok');
  setText(connection, 'Live');
  setText(updatedAt, 'updated ' + clockTime(lastSuccess));
  setAttr(updatedAt, 'data-timestamp', lastSuccess.toISOString());
  document.body.classList.remove('is-stale');
}

export function markConnectionLost(error) {
  setAttr(connection, 'data-state', 'lost');
  setText(connection, error instanceof ApiError ? 'Server error (HTTP ' + error.status + ')' : 'Connection lost');
  setAttr(connection, 'title', error && error.message ? error.message : 'request failed');
  setText(updatedAt, lastSuccess ? 'updated ' + clockTime(lastSuccess) + ' (stale)' : 'not updated yet');
  document.body.classList.add('is-stale');
}
