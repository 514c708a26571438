package io.varshift.trainer.evaluate;

import com.google.gson.JsonNull;
import com.google.gson.JsonObject;

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

    public JsonObject toJson() {
        JsonObject o = new JsonObject();
        o.addProperty("alarmWithin", alarmWithin.rate());
        o.addProperty("alarmWithinLower", alarmWithin.lower());
        o.addProperty("alarmWithinUpper", alarmWithin.upper());
        if (medianDelay != null) {
            o.addProperty("medianDelay", medianDelay);
        } else {
            o.add("medianDelay", JsonNull.INSTANCE);
        }
        return o;
    }
}
