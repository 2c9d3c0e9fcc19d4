/* The list's status filter and search, kept in the page's address (?status=, ?q=) so a view can be shared. */

const SEARCH_PAUSE_MS = 300;

const statusSelect = document.querySelector('[data-testid="status-filter"]');
const searchInput = document.querySelector('[data-testid="search"]');

let status = '';
let search = '';
let searchTimer = null;

/** The filters in force as the API's query parameters. */
export function listQuery() {
  return { status: status, q: search };
}

/** False for an answer asked with other filters than those now in force. */
export function sameQuery(asked) {
  return asked.status === status && asked.q === search;
}

/** "failed jobs matching "usb"": the filters in words. */
export function describeShown(count) {
  return (status ? status.toLowerCase() + ' ' : '') + (count === 1 ? 'job' : 'jobs')
      + (search ? ' matching "' + search + '"' : '');
}

function readFromUrl() {
  const params = new URL(window.location.href).searchParams;
  const wanted = (params.get('status') || '').toUpperCase();
  // The select offers the statuses; any other value in the address is ignored.
  if (Array.from(statusSelect.options).some(function (option) { return option.value === wanted; })) {
    statusSelect.value = wanted;
  }
  searchInput.value = (params.get('q') || '').slice(0, searchInput.maxLength);
  status = statusSelect.value;
  search = searchInput.value.trim();
}

function writeToUrl() {
  const url = new URL(window.location.href);
  if (status) url.searchParams.set('status', status);
  else url.searchParams.delete('status');
  if (search) url.searchParams.set('q', search);
  else url.searchParams.delete('q');
  window.history.replaceState(null, '', url.toString());
}

/** Reads the filters from the address, then calls onChange whenever the operator changes them. */
export function initFilters(onChange) {
  readFromUrl();
  function changed() {
    status = statusSelect.value;
    search = searchInput.value.trim();
    writeToUrl();
    onChange();
  }
  statusSelect.addEventListener('change', changed);
  // Searches once typing pauses, not at every key.
  searchInput.addEventListener('input', function () {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(function () {
      if (searchInput.value.trim() !== search) changed();
    }, SEARCH_PAUSE_MS);
  });
  searchInput.addEventListener('search', changed);
}
