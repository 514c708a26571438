/**
 * What the agent does with a window's verdict over time: the per-signal alarm state machine (OK,
 * SUSPECT, ALARM, RECOVERING, with the transitions it reports) and the CUSUM over window scores that
 * catches small persistent shifts single windows miss, its threshold set from the in-control average
 * run length. Plain Java, no engine, no Kafka.
 */
package io.varshift.core.alarm;
