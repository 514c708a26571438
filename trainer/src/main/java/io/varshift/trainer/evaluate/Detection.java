package io.varshift.trainer.evaluate;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.varshift.core.json.Json;

import java.util.Arrays;

/**
 * One detector's outcome over the trials of one shifted cell: the share of trials that alarm within
 * the trial (with its exact 95 % interval) and the median delay in windows (null when more than
 * half the trials never alarm).
 */
public record Detection(BinomialInterval alarmWithin, Integer medianDelay) {

    /** @param delays per trial the first alarming window (1-based), 0 for none within the trial */
    public static Detection of(int[] delays) {
        long alarmed = Arrays.stream(delays).filter(d -> d > 0).count();
        int[] sorted = Arrays.stream(delays).map(d -> d == 0 ? Integer.MAX_VALUE : d).sorted().toArray();
        int median = sorted[(sorted.length - 1) / 2];
        return new Detection(BinomialInterval.clopperPearson(alarmed, delays.length),
                median == Integer.MAX_VALUE ? null : median);
    }

    public ObjectNode toJson() {
        ObjectNode o = Json.object();
        o.put("alarmWithin", alarmWithin.rate());
        o.put("alarmWithinLower", alarmWithin.lower());
        o.put("alarmWithinUpper", alarmWithin.upper());
        o.put("medianDelay", medianDelay);
        return o;
    }
}
