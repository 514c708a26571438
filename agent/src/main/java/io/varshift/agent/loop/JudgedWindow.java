package io.varshift.agent.loop;

import io.varshift.core.window.WindowVerdict;

/**
 * A closed window with core's verdict on it. The results publisher, the metrics and the status view
 * read this and nothing else of the judgement.
 */
public record JudgedWindow(ClosedWindow window, WindowVerdict verdict) {
}
