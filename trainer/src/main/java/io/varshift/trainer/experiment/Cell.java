package io.varshift.trainer.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.varshift.core.json.Json;
import io.varshift.core.json.JsonFields;
import io.varshift.core.spec.ModelSpec.Architecture;
import io.varshift.core.spec.ModelSpec.DropoutKind;
import io.varshift.core.spec.ModelSpec.DropoutPlacement;
import io.varshift.core.spec.ModelSpec;

import java.util.Locale;

/**
 * One trained model of the sweep. {@code dropRatio} is the probability of DROPPING a unit (0 for none
 * and Uout); the paper's p is {@link #retainRatio()}. {@code width} is the base channel count: the
 * config's for every cell but the width sweep's.
 */
record Cell(Architecture architecture, int width, DropoutPlacement placement, DropoutKind kind, double dropRatio,
            double uoutBeta, long seed) {

    static Cell none(Architecture a, int width, long seed) {
        return new Cell(a, width, DropoutPlacement.NONE, DropoutKind.BERNOULLI, 0, 0, seed);
    }

    static Cell bernoulli(Architecture a, int width, DropoutPlacement placement, double dropRatio, long seed) {
        return new Cell(a, width, placement, DropoutKind.BERNOULLI, dropRatio, 0, seed);
    }

    static Cell uout(Architecture a, int width, DropoutPlacement placement, double beta, long seed) {
        return new Cell(a, width, placement, DropoutKind.UOUT, 0, beta, seed);
    }

    /** The paper's p: probability of keeping a unit. */
    double retainRatio() {
        return 1 - dropRatio;
    }

    /** File-name key, e.g. {@code convnet_w16_before-bn_bernoulli_drop0.50_seed1}. */
    String key() {
        String variant = switch (placement == DropoutPlacement.NONE ? "none" : kind.id()) {
            case "none" -> "none";
            case "uout" -> String.format(Locale.ROOT, "%s_uout_beta%.2f", placement.id(), uoutBeta);
            default -> String.format(Locale.ROOT, "%s_bernoulli_drop%.2f", placement.id(), dropRatio);
        };
        return architecture.id() + "_w" + width + "_" + variant + "_seed" + seed;
    }

    /** The cell without its seed: what a table row averages over seeds. */
    Cell withoutSeed() {
        return new Cell(architecture, width, placement, kind, dropRatio, uoutBeta, 0);
    }

    ModelSpec spec(ExperimentConfig config) {
        return ModelSpec.fashionMnist(architecture).optWidth(width).optBlocks(config.blocks())
                .optDropout(placement, kind).optDropRatio(dropRatio).optUoutBeta(uoutBeta).optSeed(seed).build();
    }

    ObjectNode toJson() {
        ObjectNode o = Json.object();
        o.put("architecture", architecture.id());
        o.put("width", width);
        o.put("placement", placement.id());
        o.put("kind", kind.id());
        o.put("dropRatio", dropRatio);
        o.put("retainRatio", retainRatio());
        o.put("uoutBeta", uoutBeta);
        o.put("seed", seed);
        return o;
    }

    static Cell fromJson(JsonNode o) {
        JsonFields f = new JsonFields("cell", o);
        return new Cell(Architecture.parse(f.string("architecture")), Math.toIntExact(f.longValue("width")),
                DropoutPlacement.parse(f.string("placement")),
                DropoutKind.parse(f.string("kind")), f.number("dropRatio"), f.number("uoutBeta"), f.longValue("seed"));
    }

    @Override
    public String toString() {
        return key();
    }
}
