package io.varshift.trainer.imported;

import io.varshift.core.spec.ModelSpec;
import io.varshift.trainer.jobs.UserData;

import java.util.List;

/**
 * What {@link ImportService} brings in.
 *
 * @param spec the architecture and sizes the weights were exported from; its input shape and classes
 *        are replaced by the data's
 * @param weights the exporter's .npz archive
 * @param data the user's labelled images; the held-out part calibrates
 */
public record ImportPlan(String model, ModelSpec spec, String weights, UserData data, int batchSize,
                         List<Integer> windowSizes, double falseAlarmRate, int replicates) {

    public ImportPlan {
        windowSizes = List.copyOf(windowSizes);
    }
}
