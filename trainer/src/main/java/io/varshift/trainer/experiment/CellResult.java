package io.varshift.trainer.experiment;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.varshift.core.json.Json;
import io.varshift.core.json.JsonFields;

import java.io.IOException;
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
    static final int FORMAT = 2;

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

        /** {@code {heldOutError, trainError, layers: [LayerRow...]}}: the record as it is. */
        JsonNode toJson() {
            return Json.mapper().valueToTree(this);
        }

        /** @throws IllegalArgumentException when a field is missing or of the wrong type */
        static Measurement fromJson(JsonNode o) {
            try {
                return MEASUREMENT.readValue(o);
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalArgumentException("measurement: " + Json.describe(e), e);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }

        private static final ObjectReader MEASUREMENT = Json.mapper().readerFor(Measurement.class)
                .with(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES,
                        DeserializationFeature.FAIL_ON_NULL_CREATOR_PROPERTIES);
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
     * @param fanIn the conv's d (in channels · kernel positions); 0 for Eq. 8
     * @param rho the mean pairwise correlation of a receptive field's inputs ({@link ReceptiveField}); NaN for Eq. 8
     * @param eq14Delta Eq. 14 from the measured c, v, ρ and each output channel's d·cos²θ; NaN for Eq. 8
     */
    record TheoryRow(String layer, String equation, double measuredDelta, double theoryDelta, double dCos2Theta,
                     double directDelta, int fanIn, double rho, double eq14Delta) {

        /** A row of Eq. 8: dropout directly before the BN, no conv in between. */
        static TheoryRow direct(String layer, double measuredDelta, double theoryDelta) {
            return new TheoryRow(layer, "8", measuredDelta, theoryDelta, Double.NaN, Double.NaN, 0, Double.NaN,
                    Double.NaN);
        }

        /** measured / Eq. 14 − 1. */
        double eq14RelativeError() {
            return measuredDelta / eq14Delta - 1;
        }

        double relativeError() {
            return measuredDelta / theoryDelta - 1;
        }
    }

    static double shift(double ratio) {
        return Math.max(ratio, 1 / ratio);
    }

    ObjectNode toJson() {
        ObjectNode o = Json.object();
        o.put("format", FORMAT);
        o.set("cell", cell.toJson());
        o.put("trainAccuracy", trainAccuracy);
        o.put("seconds", seconds);
        o.set("before", before.toJson());
        o.set("after", after.toJson());
        o.set("theory", theoryJson(theory));
        return o;
    }

    /** The rows; Eq. 12's conv fields only where they are numbers (Eq. 8 has none). */
    static ArrayNode theoryJson(List<TheoryRow> rows) {
        ArrayNode list = Json.array();
        for (TheoryRow t : rows) {
            ObjectNode r = list.addObject();
            r.put("layer", t.layer());
            r.put("equation", t.equation());
            r.put("measuredDelta", t.measuredDelta());
            r.put("theoryDelta", t.theoryDelta());
            if (Double.isFinite(t.dCos2Theta())) {
                r.put("dCos2Theta", t.dCos2Theta());
                r.put("directDelta", t.directDelta());
                r.put("fanIn", t.fanIn());
                // ρ (and so Eq. 14) is NaN for an input of zero variance; absent fields read back as NaN.
                if (Double.isFinite(t.rho()) && Double.isFinite(t.eq14Delta())) {
                    r.put("rho", t.rho());
                    r.put("eq14Delta", t.eq14Delta());
                }
            }
        }
        return list;
    }

    static List<TheoryRow> theoryFromJson(JsonNode list) {
        if (list == null || !list.isArray()) {
            throw new IllegalArgumentException("theory: expected an array, got " + list);
        }
        List<TheoryRow> out = new ArrayList<>();
        for (JsonNode r : list) {
            JsonFields f = new JsonFields("theory row", r);
            boolean conv = r.has("dCos2Theta");
            out.add(new TheoryRow(f.string("layer"), f.string("equation"), f.number("measuredDelta"),
                    f.number("theoryDelta"), conv ? f.number("dCos2Theta") : Double.NaN,
                    conv ? f.number("directDelta") : Double.NaN, conv ? Math.toIntExact(f.longValue("fanIn")) : 0,
                    conv && r.has("rho") ? f.number("rho") : Double.NaN,
                    conv && r.has("eq14Delta") ? f.number("eq14Delta") : Double.NaN));
        }
        return out;
    }

    /**
     * @throws IllegalArgumentException when the file is of another format (the caller recomputes the cell)
     */
    static CellResult fromJson(JsonNode o) {
        if (!o.has("format") || o.get("format").asInt() != FORMAT) {
            throw new IllegalArgumentException("cell result format " + o.get("format") + " is not " + FORMAT);
        }
        JsonFields f = new JsonFields("cell result", o);
        return new CellResult(Cell.fromJson(f.object("cell")), f.number("trainAccuracy"), f.number("seconds"),
                Measurement.fromJson(f.object("before")), Measurement.fromJson(f.object("after")),
                theoryFromJson(f.array("theory")));
    }
}
