/* The API token: typed into the header's form, kept in localStorage for the next visit. */

const TOKEN_KEY = 'usbPipeline.apiToken';

const form = document.querySelector('[data-testid="token-form"]');
const input = document.querySelector('[data-testid="token-input"]');
const clear = document.querySelector('[data-testid="token-clear"]');

function storedToken() {
  try {
    return localStorage.getItem(TOKEN_KEY) || '';
  } catch (e) {
    return '';
  }
}

function saveToken(token) {
  try {
    if (token) localStorage.setItem(TOKEN_KEY, token);
    else localStorage.removeItem(TOKEN_KEY);
  } catch (e) {
    // Storage can be blocked (private mode); the input still holds the token for this page.
  }
}

export function currentToken() {
  return input.value.trim() || storedToken();
}

/** The API answered 401: the form shows that it wants a token. */
export function tokenNeeded() {
  form.classList.add('needs-token');
}

export function focusToken() {
  input.focus();
}

function onTokenInput() {
  saveToken(input.value.trim());
  form.classList.remove('needs-token');
}

export function initTokenForm() {
  input.value = storedToken();
  input.addEventListener('input', onTokenInput);
  clear.addEventListener('click', function () {
    input.value = '';
    onTokenInput();
  });
  form.addEventListener('submit', function (event) { event.preventDefault(); });
}
