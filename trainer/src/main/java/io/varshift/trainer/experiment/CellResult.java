package io.varshift.trainer.experiment;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.varshift.trainer.report.ShiftMeasurement;

import java.util.ArrayList;
import java.util.List;

/**
 * What one trained cell measured: before and after Adjust BN, and the theory check of its dropout.
 * Stored as {@code <key>.json}; {@link #fromJson} refuses another {@link #FORMAT}.
 */
record CellResult(Cell cell, double trainAccuracy, double seconds, Measurement before, Measurement after,
                  List<TheoryRow> theory) {

    /** Version of the cell file layout; part of the settings fingerprint, so a change recomputes. */
    static final int FORMAT = 1;

    CellResult {
        theory = List.copyOf(theory);
    }

    /**
     * Eval-mode measurement of a model with its current BN statistics.
     *
     * @param heldOutError top-1 error on the held-out samples
     * @param trainError top-1 error on the measured training samples
     */
    record Measurement(double heldOutError, double trainError, List<LayerRow> layers) {
        Measurement {
            layers = List.copyOf(layers);
        }

        /** The experiment's rows of the shared measurement. */
        static Measurement of(ShiftMeasurement.Measured m) {
            return new Measurement(1 - m.heldOutAccuracy(), 1 - m.trainAccuracy(), m.layers().stream()
                    .map(l -> new LayerRow(l.layer(), l.channels(), l.movingVariance(), l.onTrain().varianceRatio(),
                            l.onHeldOut().varianceRatio(), l.onHeldOut().maxChannelShift()))
                    .toList());
        }

        /** The largest held-out variance shift max(r, 1/r) over layers. */
        double maxHeldOutShift() {
            return layers.stream().mapToDouble(l -> shift(l.heldOutRatio())).max().orElse(1);
        }

        JsonObject toJson() {
            JsonObject o = new JsonObject();
            o.addProperty("heldOutError", heldOutError);
            o.addProperty("trainError", trainError);
            JsonArray list = new JsonArray();
            for (LayerRow l : layers) {
                JsonObject r = new JsonObject();
                r.addProperty("layer", l.layer());
                r.addProperty("channels", l.channels());
                r.addProperty("movingVariance", l.movingVariance());
                r.addProperty("trainRatio", l.trainRatio());
                r.addProperty("heldOutRatio", l.heldOutRatio());
                r.addProperty("heldOutMaxChannelShift", l.heldOutMaxChannelShift());
                list.add(r);
            }
            o.add("layers", list);
            return o;
        }

        static Measurement fromJson(JsonObject o) {
            List<LayerRow> layers = new ArrayList<>();
            for (JsonElement e : o.getAsJsonArray("layers")) {
                JsonObject r = e.getAsJsonObject();
                layers.add(new LayerRow(r.get("layer").getAsString(), r.get("channels").getAsInt(),
                        r.get("movingVariance").getAsDouble(), r.get("trainRatio").getAsDouble(),
                        r.get("heldOutRatio").getAsDouble(), r.get("heldOutMaxChannelShift").getAsDouble()));
            }
            return new Measurement(o.get("heldOutError").getAsDouble(), o.get("trainError").getAsDouble(), layers);
        }
    }

    /**
     * One BN layer: the paper's ratio r = channel-averaged real (eval-mode) variance / channel-averaged
     * moving variance, on training and on held-out data.
     */
    record LayerRow(String layer, int channels, double movingVariance, double trainRatio, double heldOutRatio,
                    double heldOutMaxChannelShift) {
    }

    /**
     * Measured Δ (real / moving variance on training data) of a BN layer fed by dropout, against theory.
     *
     * @param equation "8" (dropout directly before the BN) or "12" (a convolution in between)
     * @param dCos2Theta the conv layer's d·cos²θ averaged over output channels (paper's Table 1); NaN for Eq. 8
     * @param directDelta Eq. 8 for the dropout's own input (what the BN would see without the conv); NaN for Eq. 8
     */
    record TheoryRow(String layer, String equation, double measuredDelta, double theoryDelta, double dCos2Theta,
                     double directDelta) {

        double relativeError() {
            return measuredDelta / theoryDelta - 1;
        }
    }

    static double shift(double ratio) {
        return Math.max(ratio, 1 / ratio);
    }

    JsonObject toJson() {
        JsonObject o = new JsonObject();
        o.addProperty("format", FORMAT);
        o.add("cell", cell.toJson());
        o.addProperty("trainAccuracy", trainAccuracy);
        o.addProperty("seconds", seconds);
        o.add("before", before.toJson());
        o.add("after", after.toJson());
        o.add("theory", theoryJson(theory));
        return o;
    }

    static JsonArray theoryJson(List<TheoryRow> rows) {
        JsonArray list = new JsonArray();
        for (TheoryRow t : rows) {
            JsonObject r = new JsonObject();
            r.addProperty("layer", t.layer());
            r.addProperty("equation", t.equation());
            r.addProperty("measuredDelta", t.measuredDelta());
            r.addProperty("theoryDelta", t.theoryDelta());
            if (Double.isFinite(t.dCos2Theta())) {
                r.addProperty("dCos2Theta", t.dCos2Theta());
                r.addProperty("directDelta", t.directDelta());
            }
            list.add(r);
        }
        return list;
    }

    static List<TheoryRow> theoryFromJson(JsonArray list) {
        List<TheoryRow> out = new ArrayList<>();
        for (JsonElement e : list) {
            JsonObject r = e.getAsJsonObject();
            out.add(new TheoryRow(r.get("layer").getAsString(), r.get("equation").getAsString(),
                    r.get("measuredDelta").getAsDouble(), r.get("theoryDelta").getAsDouble(),
                    r.has("dCos2Theta") ? r.get("dCos2Theta").getAsDouble() : Double.NaN,
                    r.has("directDelta") ? r.get("directDelta").getAsDouble() : Double.NaN));
        }
        return out;
    }

    /**
     * @throws IllegalArgumentException when the file is of another format (the caller recomputes the cell)
     */
    static CellResult fromJson(JsonObject o) {
        if (!o.has("format") || o.get("format").getAsInt() != FORMAT) {
            throw new IllegalArgumentException("cell result format " + o.get("format") + " is not " + FORMAT);
        }
        return new CellResult(Cell.fromJson(o.getAsJsonObject("cell")), o.get("trainAccuracy").getAsDouble(),
                o.get("seconds").getAsDouble(), Measurement.fromJson(o.getAsJsonObject("before")),
                Measurement.fromJson(o.getAsJsonObject("after")), theoryFromJson(o.getAsJsonArray("theory")));
    }
}
