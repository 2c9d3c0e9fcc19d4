/*
 * Operator dashboard for usb-order-pipeline: ES modules, no build step, no dependencies. This one
 * wires the panels together. In every module, server strings reach the DOM through textContent or
 * attributes, never innerHTML.
 */

import { initTokenForm } from './token.js';
import { initMessages } from './messages.js';
import { initFilters } from './filters.js';
import { clearJobs, initJobsTable, refreshJobs } from './jobs-table.js';
import { initBulk, closeBulk } from './bulk.js';
import { initDetail, openDetail, refreshDetail } from './detail.js';
import { initStation, refreshStation } from './station.js';
import { refreshStats } from './stats.js';
import { refreshCharts } from './charts.js';
import { refreshWebhook } from './webhook.js';
import { refreshEach, refreshNow, startLiveUpdates } from './live.js';

initTokenForm();
initMessages();
initFilters(function () {
  closeBulk();
  clearJobs();
  refreshNow();
});
initJobsTable(openDetail);
initBulk();
initDetail();
initStation();
clearJobs();
refreshEach(refreshStats, refreshJobs, refreshDetail, refreshStation, refreshCharts, refreshWebhook);
startLiveUpdates();
