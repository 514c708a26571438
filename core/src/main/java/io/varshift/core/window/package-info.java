/**
 * One window of traffic from accumulation to verdict: the window state that folds forwarded batches,
 * the policies that close a window (by count or by time), and the judge that turns a closed window
 * into typed per-layer and model verdicts and drives the alarm machines.
 */
package io.varshift.core.window;
