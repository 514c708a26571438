package io.varshift.core.window;

import java.util.List;

import io.varshift.core.alarm.AlarmState;

/**
 * What a {@link WindowJudge} carries from one window to the next: each alarm state machine's state
 * and run, and the CUSUM statistic. Taken with {@link WindowJudge#memory()} and given back with
 * {@link WindowJudge#restore}, so that the judgement of a model can move between processes (a fleet
 * judge keeps it in a Kafka Streams state store) and go on as if one judge had seen every window.
 *
 * @param layers per probed layer, in model order
 */
public record JudgeMemory(List<Alarm> layers, Alarm model, Alarm predictionMix, double cusum) {

    /** One alarm state machine's state and its run of consecutive windows. */
    public record Alarm(AlarmState state, int run) {
    }

    public JudgeMemory {
        layers = List.copyOf(layers);
    }
}
