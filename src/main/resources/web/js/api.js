/* Requests to the product's API, with the token when one is given. */

import { currentToken, tokenNeeded } from './token.js';

const REQUEST_TIMEOUT_MS = 8000;
/** Jobs per GET /api/jobs. */
export const PAGE_SIZE = 50;

export class ApiError extends Error {
  constructor(status, body, fallback) {
    super((body && body.message) || fallback || 'HTTP ' + status);
    this.status = status;
    this.code = body && body.error;
  }
}

export function apiUrl(path, params) {
  const url = new URL(path, document.baseURI);
  Object.keys(params || {}).forEach(function (key) {
    const value = params[key];
    if (value !== '' && value !== null && value !== undefined) url.searchParams.set(key, value);
  });
  return url.toString();
}

/** Accept and, where one is given, Authorization: reads need the token too where the product is configured so (jobs carry customer data). */
export function apiHeaders(accept) {
  const headers = { Accept: accept };
  const token = currentToken();
  if (token) headers.Authorization = 'Bearer ' + token;
  return headers;
}

/** Resolves to {status, body}; rejects with ApiError for HTTP errors and TypeError/AbortError when unreachable. */
export async function request(method, path, params, timeoutMs) {
  const waitMs = timeoutMs || REQUEST_TIMEOUT_MS;
  const controller = new AbortController();
  const timer = setTimeout(function () { controller.abort(); }, waitMs);
  const headers = apiHeaders('application/json');
  // Proof that the dashboard itself asks: another site's page cannot send this header without a preflight.
  if (method !== 'GET') headers['X-Requested-By'] = 'usb-order-pipeline-dashboard';
  try {
    const response = await fetch(apiUrl(path, params), {
      method: method,
      headers: headers,
      cache: 'no-store',
      credentials: 'same-origin',
      signal: controller.signal,
    });
    let body = null;
    const text = await response.text();
    if (text) {
      try {
        body = JSON.parse(text);
      } catch (e) {
        body = null;
      }
    }
    if (response.status === 401) tokenNeeded();
    if (!response.ok) throw new ApiError(response.status, body, response.statusText);
    return { status: response.status, body: body };
  } catch (error) {
    if (error.name === 'AbortError') throw new Error('the server did not answer within ' + waitMs / 1000 + ' s');
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

export function jobPath(id, suffix) {
  return 'api/jobs/' + encodeURIComponent(id) + (suffix || '');
}
