/*
 * A job's buttons. The API lists what each job allows (job.actions: cancel, retry, reverify); the
 * page shows those and never decides from the status itself.
 */

import { ApiError, jobPath, request } from './api.js';
import { make, setAttr } from './dom.js';
import { describeError, showMessage } from './messages.js';
import { currentToken, focusToken } from './token.js';
import { refreshNow } from './live.js';

const LABELS = { cancel: 'Cancel', retry: 'Retry', reverify: 'Read the stick back again' };

/** Rebuilds the buttons only when the set of actions changes, so a pending click is not lost. */
export function renderActions(container, job, actions, testIdPrefix) {
  const key = actions.join(',');
  if (container.getAttribute('data-actions') === key) {
    container.querySelectorAll('button').forEach(function (b) {
      setAttr(b, 'data-job-id', job.id);
      setAttr(b, 'data-order-id', job.orderId);
    });
    return;
  }
  container.setAttribute('data-actions', key);
  container.textContent = '';
  actions.forEach(function (action) {
    const button = make('button', 'action action-' + action, LABELS[action]);
    button.type = 'button';
    button.setAttribute('data-testid', testIdPrefix + action + '-button');
    button.setAttribute('data-action', action);
    button.setAttribute('data-job-id', job.id);
    button.setAttribute('data-order-id', job.orderId);
    button.title = LABELS[action] + ': the job for order ' + job.orderId;
    container.appendChild(button);
  });
}

function successText(action, status, order) {
  if (action === 'retry') return 'Job ' + order + ' queued again';
  if (action === 'reverify') return 'Reading the stick of ' + order + ' back; the result shows in the job';
  // 200: cancelled; 202: a running job was asked to stop.
  if (status === 202) return 'Job ' + order + ' will stop at its next checkpoint';
  return 'Job ' + order + ' cancelled';
}

function failureText(action, error, order) {
  const verb = action === 'reverify' ? 'read back the stick of' : action;
  if (error instanceof ApiError) {
    if (error.status === 401) {
      return currentToken()
        ? 'Could not ' + verb + ' job ' + order + ': the API token was refused (' + error.message + '). Check the token in the header.'
        : 'Could not ' + verb + ' job ' + order + ': an API token is required. Enter it in the header and try again.';
    }
    if (error.status === 403) {
      return 'Could not ' + verb + ' job ' + order + ': forbidden (' + error.message + '). Without an API token the product accepts actions only from its own machine.';
    }
    if (error.status === 404) return 'Job ' + order + ' no longer exists.';
    if (error.status === 409) return 'Could not ' + verb + ' job ' + order + ' now: ' + error.message;
  }
  return 'Could not ' + verb + ' job ' + order + ': ' + describeError(error);
}

async function runAction(button) {
  const action = button.getAttribute('data-action');
  const id = button.getAttribute('data-job-id');
  const order = button.getAttribute('data-order-id');
  button.disabled = true;
  try {
    const result = await request('POST', jobPath(id, '/' + action));
    showMessage('success', successText(action, result.status, order));
  } catch (error) {
    showMessage('error', failureText(action, error, order));
    if (error instanceof ApiError && error.status === 401) focusToken();
  } finally {
    button.disabled = false;
    refreshNow();
  }
}

/** A click listener for a container of job buttons (the table, the detail). */
export function onActionClick(event) {
  const button = event.target.closest('button[data-action]');
  if (!button || button.disabled) return;
  event.stopPropagation();
  runAction(button);
}
